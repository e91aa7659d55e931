//! Who may call a REST route, decided in one place: `SignedIn` for any
//! member with a full session, `Require<P>` for one who also holds
//! permission `P`. A refusal is an `ApiError`; a missing permission is also
//! recorded in Logbook's own log, as server functions do.

use super::{ApiError, AppState};
use app::{
    auth::{ClientInfo, Entry, RequestAuth},
    model::Permission,
    store::Member,
};
use axum::{extract::FromRequestParts, http::request::Parts};
use std::marker::PhantomData;

/// A signed-in member (with their own password, not a temporary one).
pub(super) struct SignedIn {
    pub member: Member,
    /// The session, for routes that check it again later (the live feed).
    pub token_hash: String,
    pub client: ClientInfo,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let auth = parts.extensions.get::<RequestAuth>();
        let (Some(member), Some(token_hash)) = (
            auth.and_then(RequestAuth::member),
            auth.and_then(|a| a.token_hash.clone()),
        ) else {
            return Err(ApiError::unauthorized("sign in to continue"));
        };
        if member.password_temporary() {
            return Err(ApiError::forbidden("choose your own password first"));
        }
        Ok(SignedIn {
            member: member.clone(),
            token_hash,
            client: auth.map(|a| a.client.clone()).unwrap_or_default(),
        })
    }
}

/// A permission a route needs, and how its refusal reads.
pub(super) trait Needs {
    const PERMISSION: Permission;
    /// What the caller tried, as the denial entry names it.
    const ACTION: &'static str;
    const REFUSAL: &'static str;
}

/// Reading the log (the live feed).
pub(super) struct ViewLogs;

impl Needs for ViewLogs {
    const PERMISSION: Permission = Permission::ViewLogs;
    const ACTION: &'static str = "live view";
    const REFUSAL: &'static str = "your account may not read the log";
}

/// Downloading an export.
pub(super) struct Export;

impl Needs for Export {
    const PERMISSION: Permission = Permission::Export;
    const ACTION: &'static str = "export";
    const REFUSAL: &'static str = "your account may not export";
}

/// A signed-in member holding permission `P`.
pub(super) struct Require<P: Needs> {
    pub signed_in: SignedIn,
    permission: PhantomData<P>,
}

impl<P: Needs + Send + Sync> FromRequestParts<AppState> for Require<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let signed_in = SignedIn::from_request_parts(parts, state).await?;
        if !signed_in.member.can(P::PERMISSION) {
            let entry = Entry::denied(P::ACTION, P::PERMISSION.label())
                .by(&signed_in.member)
                .from_client(&signed_in.client);
            if let Err(err) = entry.record(&*state.store).await {
                tracing::error!(error = %err, "could not record a denial");
            }
            return Err(ApiError::forbidden(P::REFUSAL));
        }
        Ok(Require {
            signed_in,
            permission: PhantomData,
        })
    }
}
