//! The sign-in flow behind the `sign_in` and `verify_code` server functions:
//! throttling, password check, optional one-time code, session cookie, and a
//! record of every attempt in Logbook's own log.

use super::{
    access::{fail, limiters, request_auth, store},
    auth::{now_seconds, set_cookie, SignInStep},
};
use crate::{
    auth::{
        code_step, hash_password, new_token, session_cookie, throttle_wait, verify_password_async,
        ClientInfo, Entry, SessionState, ThrottleWait, IDLE_TIMEOUT_US, MAX_PASSWORD_LEN,
        OTP_STAGE_TIMEOUT_US, WINDOW_US,
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
    // What the own log and the throttle know the attempt by: the email, or
    // for text that is no email (a password typed in the wrong field) a
    // short fingerprint that never reveals it.
    let tried = loggable_email(&email);
    let now = chrono::Utc::now().timestamp_micros();
    if let Some(wait) = throttled(&*store, &tried, &client, now).await? {
        // One record per throttle window stands for every refused attempt.
        let key = if wait.by_ip {
            format!("ip:{}", client.ip.as_deref().unwrap_or("-"))
        } else {
            format!("email:{tried}")
        };
        if let Some(before) = limiters()?.throttled_sign_ins.hit(&key) {
            failure(
                &*store,
                &tried,
                &client,
                "throttled",
                Outcome::Denied,
                Some(before),
            )
            .await?;
        }
        return Err(fail(AppError::TooManyRequests(wait.message())));
    }
    if password.chars().count() > MAX_PASSWORD_LEN {
        return Err(fail(AppError::BadRequest(format!(
            "A password has at most {MAX_PASSWORD_LEN} characters."
        ))));
    }
    let record = store.sign_in_record(&email).await?;
    let hash = record
        .as_ref()
        .map_or(DUMMY_HASH.clone(), |r| r.password_hash.clone());
    let password_ok = verify_password_async(password, hash).await;
    let record = match record {
        Some(r) if password_ok && r.active => r,
        other => {
            let reason = match other {
                None => "unknown account",
                Some(r) if !r.active => "account deactivated",
                Some(_) => "wrong password",
            };
            store
                .record_sign_in_failure(&tried, client.ip.as_deref(), now)
                .await?;
            failure(&*store, &tried, &client, reason, Outcome::Failure, None).await?;
            // The attempt that reaches the limit already says so.
            if let Some(wait) = throttled(&*store, &tried, &client, now).await? {
                return Err(fail(AppError::TooManyRequests(wait.message())));
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
    // Counted before the check, so concurrent guesses cannot exceed the limit.
    let attempts = store.otp_attempted(token_hash).await?;
    if attempts > MAX_CODE_FAILURES {
        store.end_session(token_hash).await?;
        return Err(fail(AppError::TooManyRequests(
            "Too many wrong codes. Sign in again.".into(),
        )));
    }
    let (secret, _) = store.totp_secrets(member.account_id()).await?;
    let valid = match secret {
        Some(secret) => {
            let secret = super::access::open_secret(&super::access::sealer()?, &secret)?;
            accept_code(&*store, member.account_id(), &secret, &code).await?
        }
        None => false,
    };
    if !valid {
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
        if attempts >= MAX_CODE_FAILURES {
            store.end_session(token_hash).await?;
            return Err(fail(AppError::TooManyRequests(
                "Too many wrong codes. Sign in again.".into(),
            )));
        }
        return Err(fail(AppError::BadRequest(
            "That code is not valid. Enter the current code from your authenticator.".into(),
        )));
    }
    // A fresh token for the full session: the half-signed-in one (which
    // may have been seen, e.g. on a shared screen) grants nothing more.
    store.end_session(token_hash).await?;
    start_session(
        &*store,
        member,
        &auth.client,
        SessionStage::Full,
        now,
        now + IDLE_TIMEOUT_US,
    )
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

pub(super) async fn throttled(
    store: &dyn Store,
    email: &str,
    client: &ClientInfo,
    now: i64,
) -> Result<Option<ThrottleWait>, AppError> {
    let counts = store
        .sign_in_failures(email, client.ip.as_deref(), now - WINDOW_US)
        .await?;
    Ok(throttle_wait(&counts, now))
}

/// Whether `code` is the account's current one-time code and not used
/// before; a valid code is used up by this call.
pub(super) async fn accept_code(
    store: &dyn Store,
    account_id: i64,
    secret: &str,
    code: &str,
) -> Result<bool, AppError> {
    match code_step(secret, code, now_seconds()) {
        Some(step) => Ok(store.claim_totp_step(account_id, step).await?),
        None => Ok(false),
    }
}

/// `email` if it looks like one; otherwise a fingerprint of it. Six hex
/// digits tell repeated attempts apart without confirming a guess.
pub(super) fn loggable_email(email: &str) -> String {
    let plausible = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.contains('@')
        });
    if plausible {
        return email.to_string();
    }
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(email.as_bytes());
    format!("not-an-email:{}", &hex::encode(digest)[..6])
}

/// Records a refused sign-in; `refused_before` counts the throttled
/// attempts this record also stands for (see `Limiters::throttled_sign_ins`).
async fn failure(
    store: &dyn Store,
    email: &str,
    client: &ClientInfo,
    reason: &str,
    outcome: Outcome,
    refused_before: Option<u64>,
) -> Result<(), AppError> {
    let mut metadata = serde_json::json!({ "email_tried": email, "reason": reason });
    if let Some(count) = refused_before {
        metadata["refused_since_last_record"] = count.into();
    }
    Entry::new(
        "auth.sign_in.failed",
        "login_failed",
        format!("Failed sign-in as {email}: {reason}"),
    )
    .by_email(email)
    .outcome(outcome)
    .metadata(metadata)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_typed_as_the_email_is_logged_as_a_fingerprint() {
        assert_eq!(loggable_email("ann@shop.io"), "ann@shop.io");
        let shown = loggable_email("correct horse battery staple");
        assert!(shown.starts_with("not-an-email:"), "{shown}");
        assert!(!shown.contains("horse"));
        assert_eq!(shown, loggable_email("correct horse battery staple"));
        assert!(loggable_email("hunter2").starts_with("not-an-email:"));
        assert!(loggable_email(&"a".repeat(300)).len() < 30);
    }
}
