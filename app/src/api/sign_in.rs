//! The sign-in flow behind the `sign_in` and `verify_code` server functions:
//! throttling, password check, optional one-time code, session cookie, and a
//! record of every attempt in Logbook's own log.

use super::{
    access::{fail, request_auth, store},
    auth::{now_seconds, set_cookie, SignInStep},
};
use crate::{
    auth::{
        check_code, hash_password, new_token, session_cookie, throttle_wait, verify_password,
        ClientInfo, Entry, SessionState, IDLE_TIMEOUT_US, OTP_STAGE_TIMEOUT_US, WINDOW_US,
    },
    error::AppError,
    model::Outcome,
    store::{Member, NewSession, SessionStage, Store},
};
use std::sync::{Arc, LazyLock};

/// Wrong codes allowed on one half-signed-in session before it ends.
const MAX_CODE_FAILURES: i64 = 5;

/// Checked against when the email is unknown, so the answer takes as long
/// as for a real account and timing does not reveal which emails exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("not-a-real-password"));

pub(super) async fn sign_in(email: String, password: String) -> Result<SignInStep, AppError> {
    let store = store()?;
    let client = request_auth().client;
    let email = email.trim().to_lowercase();
    if email.is_empty() || password.is_empty() {
        return Err(fail(AppError::BadRequest(
            "Enter your email and password.".into(),
        )));
    }
    let now = chrono::Utc::now().timestamp_micros();
    if let Some(wait) = throttled(&*store, &email, &client, now).await? {
        failure(&*store, &email, &client, "throttled", Outcome::Denied).await?;
        return Err(fail(AppError::TooManyRequests(wait)));
    }
    let record = store.sign_in_record(&email).await?;
    let hash = record
        .as_ref()
        .map_or(DUMMY_HASH.as_str(), |r| &r.password_hash);
    let password_ok = verify_password(&password, hash);
    let record = match record {
        Some(r) if password_ok && r.active => r,
        other => {
            let reason = match other {
                None => "unknown account",
                Some(r) if !r.active => "account deactivated",
                Some(_) => "wrong password",
            };
            store
                .record_sign_in_failure(&email, client.ip.as_deref(), now)
                .await?;
            failure(&*store, &email, &client, reason, Outcome::Failure).await?;
            // The attempt that reaches the limit already says so.
            if let Some(wait) = throttled(&*store, &email, &client, now).await? {
                return Err(fail(AppError::TooManyRequests(wait)));
            }
            return Err(fail(AppError::BadRequest(
                "Email or password is wrong.".into(),
            )));
        }
    };
    let member = record.member;
    let needs_code = record.totp_secret.is_some();
    let (stage, expires) = if needs_code {
        (SessionStage::AwaitingOtp, now + OTP_STAGE_TIMEOUT_US)
    } else {
        (SessionStage::Full, now + IDLE_TIMEOUT_US)
    };
    start_session(&*store, &member, &client, stage, now, expires).await?;
    if needs_code {
        Entry::new(
            "auth.otp.requested",
            "otp_requested",
            format!("Password accepted for {email}; one-time code requested"),
        )
        .by(&member)
        .from_client(&client)
        .record(&*store)
        .await?;
        return Ok(SignInStep::CodeRequired);
    }
    signed_in(&store, &member, &client, now).await?;
    Ok(SignInStep::SignedIn)
}

pub(super) async fn verify_code(code: String) -> Result<(), AppError> {
    let store = store()?;
    let auth = request_auth();
    let (Some(token_hash), Some(SessionState::AwaitingOtp(member))) =
        (&auth.token_hash, &auth.session)
    else {
        return Err(fail(AppError::Unauthorized));
    };
    let now = chrono::Utc::now().timestamp_micros();
    let (secret, _) = store.totp_secrets(member.account_id()).await?;
    let valid = secret.is_some_and(|s| check_code(&s, &code, now_seconds()));
    if !valid {
        let failures = store.otp_failed(token_hash).await?;
        store
            .record_sign_in_failure(member.email(), auth.client.ip.as_deref(), now)
            .await?;
        Entry::new(
            "auth.otp.failed",
            "otp_failed",
            format!("Wrong one-time code for {}", member.email()),
        )
        .by(member)
        .outcome(Outcome::Failure)
        .from_client(&auth.client)
        .record(&*store)
        .await?;
        if failures >= MAX_CODE_FAILURES {
            store.end_session(token_hash).await?;
            return Err(fail(AppError::TooManyRequests(
                "Too many wrong codes. Sign in again.".into(),
            )));
        }
        return Err(fail(AppError::BadRequest(
            "That code is not valid. Enter the current code from your authenticator.".into(),
        )));
    }
    store
        .complete_session(token_hash, now + IDLE_TIMEOUT_US)
        .await?;
    Entry::new(
        "auth.otp.verified",
        "otp_verified",
        format!("One-time code accepted for {}", member.email()),
    )
    .by(member)
    .from_client(&auth.client)
    .record(&*store)
    .await?;
    signed_in(&store, member, &auth.client, now).await
}

async fn throttled(
    store: &dyn Store,
    email: &str,
    client: &ClientInfo,
    now: i64,
) -> Result<Option<String>, AppError> {
    let counts = store
        .sign_in_failures(email, client.ip.as_deref(), now - WINDOW_US)
        .await?;
    Ok(throttle_wait(&counts, now).map(|w| w.message()))
}

async fn failure(
    store: &dyn Store,
    email: &str,
    client: &ClientInfo,
    reason: &str,
    outcome: Outcome,
) -> Result<(), AppError> {
    Entry::new(
        "auth.sign_in.failed",
        "login_failed",
        format!("Failed sign-in as {email}: {reason}"),
    )
    .by_email(email)
    .outcome(outcome)
    .metadata(serde_json::json!({ "email_tried": email, "reason": reason }))
    .from_client(client)
    .record(store)
    .await?;
    Ok(())
}

async fn start_session(
    store: &dyn Store,
    member: &Member,
    client: &ClientInfo,
    stage: SessionStage,
    now: i64,
    expires_at: i64,
) -> Result<(), AppError> {
    let (token, token_hash) = new_token();
    store
        .create_session(&NewSession {
            token_hash,
            account_id: member.account_id(),
            stage,
            now,
            expires_at,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
        })
        .await?;
    set_cookie(&session_cookie(&token, client.secure));
    Ok(())
}

async fn signed_in(
    store: &Arc<dyn Store>,
    member: &Member,
    client: &ClientInfo,
    now: i64,
) -> Result<(), AppError> {
    store.record_sign_in(member.account_id(), now).await?;
    Entry::new(
        "auth.sign_in",
        "login",
        format!("{} signed in", member.email()),
    )
    .by(member)
    .from_client(client)
    .record(&**store)
    .await?;
    Ok(())
}
