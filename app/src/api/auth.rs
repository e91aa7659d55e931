//! Signing in and out, one-time codes, and the signed-in person's own account.

use crate::{error::AppError, model::Viewer};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// Where sign-in stands after the password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInStep {
    SignedIn,
    /// The account has one-time codes enabled: the code is owed next.
    CodeRequired,
}

/// What the enrolment screen shows once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub secret: String,
    pub url: String,
    pub qr_svg: String,
}

#[server(prefix = "/api", endpoint = "auth/sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<SignInStep, AppError> {
    super::sign_in::sign_in(email, password).await
}

#[server(prefix = "/api", endpoint = "auth/verify_code")]
pub async fn verify_code(code: String) -> Result<(), AppError> {
    super::sign_in::verify_code(code).await
}

/// Ends the session in the database, so the cookie stops working everywhere.
#[server(prefix = "/api", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::access::{fail, request_auth, store};
    use crate::auth::{clear_cookie, Entry, SessionState};
    let store = store()?;
    let auth = request_auth();
    let (Some(token_hash), Some(session)) = (&auth.token_hash, &auth.session) else {
        return Err(fail(AppError::Unauthorized));
    };
    store.end_session(token_hash).await?;
    let member = match session {
        SessionState::SignedIn(m) | SessionState::AwaitingOtp(m) => m,
    };
    Entry::new(
        "auth.sign_out",
        "logout",
        format!("{} signed out", member.email()),
    )
    .by(member)
    .from_client(&auth.client)
    .record(&*store)
    .await?;
    set_cookie(&clear_cookie(auth.client.secure));
    Ok(())
}

#[server(prefix = "/api", endpoint = "auth/viewer", input = Json)]
pub async fn current_viewer() -> Result<Viewer, AppError> {
    Ok(super::access::signed_in().await?.member.viewer())
}

/// Starts enrolment: a new secret, not required until confirmed with a code.
#[server(prefix = "/api", endpoint = "auth/totp/begin", input = Json)]
pub async fn begin_totp() -> Result<TotpEnrolment, AppError> {
    use crate::auth::{enrolment, new_secret};
    let access = super::access::signed_in().await?;
    let (enabled, _) = access
        .store
        .totp_secrets(access.member.account_id())
        .await?;
    if enabled.is_some() {
        // Replacing the factor would let a stolen session drop it.
        return Err(super::access::fail(AppError::BadRequest(
            "One-time codes are on: turn them off first (that needs a current code), \
             then set them up again."
                .into(),
        )));
    }
    let secret = new_secret();
    let shown = enrolment(&secret, access.member.email())
        .ok_or_else(|| AppError::Internal("totp-enrolment".into()))?;
    let sealed = super::access::sealer()?.seal(&secret);
    access
        .store
        .set_totp_pending(access.member.account_id(), Some(&sealed))
        .await?;
    Ok(TotpEnrolment {
        secret: shown.secret,
        url: shown.url,
        qr_svg: shown.qr_svg,
    })
}

/// Confirms enrolment with a code from the authenticator: from now on sign-in asks for one.
#[server(prefix = "/api", endpoint = "auth/totp/confirm")]
pub async fn confirm_totp(code: String) -> Result<(), AppError> {
    use crate::{auth::Entry, model::Outcome};
    let access = super::access::signed_in().await?;
    let id = access.member.account_id();
    let (_, pending) = access.store.totp_secrets(id).await?;
    let pending = pending.ok_or_else(|| {
        AppError::BadRequest("Start enrolment first: no code is being set up.".into())
    })?;
    let pending = super::access::open_secret(&super::access::sealer()?, &pending)?;
    if !super::sign_in::accept_code(&*access.store, id, &pending, &code).await? {
        access
            .log(
                Entry::new(
                    "auth.otp.enrol_failed",
                    "otp_failed",
                    "Wrong code while enrolling one-time codes",
                )
                .outcome(Outcome::Failure),
            )
            .await?;
        return Err(super::access::fail(AppError::BadRequest(
            "That code is not valid. Check the authenticator's clock and try the current code."
                .into(),
        )));
    }
    access.store.enable_totp(id).await?;
    access
        .log(Entry::new(
            "auth.otp.enrolled",
            "updated",
            "Enabled one-time codes",
        ))
        .await
}

/// Turns one-time codes off; needs a current code, so a stolen session cannot.
#[server(prefix = "/api", endpoint = "auth/totp/disable")]
pub async fn disable_totp(code: String) -> Result<(), AppError> {
    use crate::auth::Entry;
    let access = super::access::signed_in().await?;
    let id = access.member.account_id();
    let (enabled, _) = access.store.totp_secrets(id).await?;
    let Some(secret) = enabled else {
        return Ok(());
    };
    let secret = super::access::open_secret(&super::access::sealer()?, &secret)?;
    guarded_check(&access, "turn off one-time codes", |store| async move {
        super::sign_in::accept_code(&*store, id, &secret, &code).await
    })
    .await?;
    access.store.disable_totp(id).await?;
    access
        .log(
            Entry::new("auth.otp.disabled", "updated", "Disabled one-time codes")
                .severity(crate::model::Severity::Notice),
        )
        .await
}

/// Changes one's own password; every session (this one included) ends.
#[server(prefix = "/api", endpoint = "auth/password")]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::auth::{
        hash_password_async, verify_password_async, Entry, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN,
    };
    let access = super::access::signed_in().await?;
    let record = access
        .store
        .sign_in_record(access.member.email())
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !(MIN_PASSWORD_LEN..=MAX_PASSWORD_LEN).contains(&new.chars().count()) {
        return Err(super::access::fail(AppError::BadRequest(format!(
            "The new password needs {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters."
        ))));
    }
    let hash = record.password_hash;
    guarded_check(&access, "change the password", |_| async move {
        let checkable = current.chars().count() <= MAX_PASSWORD_LEN;
        Ok(checkable && verify_password_async(current, hash).await)
    })
    .await?;
    access
        .store
        .set_password(
            access.member.account_id(),
            &hash_password_async(new).await,
            false,
        )
        .await?;
    access
        .log(Entry::new(
            "auth.password.changed",
            "updated",
            "Changed own password",
        ))
        .await
}

/// Runs a check of something only the account holder knows (the current
/// password, a one-time code) for `what`: refused while the account or
/// address is throttled, and a wrong answer is counted like a failed
/// sign-in and recorded in the own log.
#[cfg(feature = "ssr")]
async fn guarded_check<F, Fut>(
    access: &super::access::Access,
    what: &str,
    check: F,
) -> Result<(), AppError>
where
    F: FnOnce(std::sync::Arc<dyn crate::store::Store>) -> Fut,
    Fut: std::future::Future<Output = Result<bool, AppError>>,
{
    use crate::{auth::Entry, model::Outcome};
    let email = access.member.email();
    let now = chrono::Utc::now().timestamp_micros();
    let store = &*access.store;
    if let Some(wait) = super::sign_in::throttled(store, email, &access.client, now).await? {
        return Err(super::access::fail(AppError::TooManyRequests(
            wait.message(),
        )));
    }
    if check(access.store.clone()).await? {
        return Ok(());
    }
    store
        .record_sign_in_failure(email, access.client.ip.as_deref(), now)
        .await?;
    access
        .log(
            Entry::new(
                "auth.reauth.failed",
                "login_failed",
                format!("Wrong password or code while trying to {what}"),
            )
            .outcome(Outcome::Failure),
        )
        .await?;
    Err(super::access::fail(AppError::BadRequest(
        "That is not right: check the current password or code.".into(),
    )))
}

#[cfg(feature = "ssr")]
pub(super) fn now_seconds() -> u64 {
    chrono::Utc::now().timestamp().max(0) as u64
}

#[cfg(feature = "ssr")]
pub(super) fn set_cookie(value: &str) {
    if let (Some(options), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        options.append_header(http::header::SET_COOKIE, value);
    }
}
