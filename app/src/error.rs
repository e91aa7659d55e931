//! The error server functions return to the browser: safe to show, never SQL.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (a bad filter, a malformed id); says why.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing with that id is visible to the caller.
    #[error("not found")]
    NotFound,
    /// The caller is not signed in (or the session ended).
    #[error("sign in to continue")]
    Unauthorized,
    /// Signed in, but the role or permissions do not allow this; says what.
    #[error("{0}")]
    Forbidden(String),
    /// Refused for now (sign-in throttling); says for how long.
    #[error("{0}")]
    TooManyRequests(String),
    /// The work ran past its time budget and was stopped; says what to narrow.
    #[error("{0}")]
    TimedOut(String),
    /// The storage cannot take it now (a full disk, the database gone);
    /// says what is wrong. Retrying later succeeds.
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on our side; the cause is in the server log under this id.
    #[error("internal error (reference {0})")]
    Internal(String),
    /// The call did not reach the server or its answer did not decode.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The server could not read the call's arguments: the caller's mistake.
            ServerFnErrorErr::Args(why) => AppError::BadRequest(why),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(why) => AppError::BadRequest(why),
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl AppError {
    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::TooManyRequests(_) => 429,
            AppError::TimedOut(_) | AppError::Unavailable(_) => 503,
            AppError::Internal(_) | AppError::Transport(_) => 500,
        }
    }
}

/// The one place store errors become user-facing ones: the cause is logged
/// with a reference the user can quote, and only the reference leaves.
#[cfg(feature = "ssr")]
impl From<crate::store::DbError> for AppError {
    fn from(err: crate::store::DbError) -> Self {
        let reference = ulid::Ulid::new().to_string();
        match err {
            crate::store::DbError::Conflict(what) => return AppError::BadRequest(what.to_string()),
            crate::store::DbError::StorageFull => {
                tracing::warn!(error = %err, "store call refused: storage full");
                return AppError::Unavailable(
                    "The disk holding the database is full: nothing can be saved until the \
                     operator frees space. Reading still works."
                        .into(),
                );
            }
            crate::store::DbError::Unreachable(_) => {
                tracing::warn!(error = %err, "store call failed: database unreachable");
                return AppError::Unavailable(
                    "The database cannot be reached right now; try again in a moment.".into(),
                );
            }
            crate::store::DbError::TimedOut => {
                return AppError::TimedOut(
                    "This took too long and was stopped. Narrow it down: a shorter date \
                     range, a tenant, or more specific words."
                        .into(),
                )
            }
            _ => {}
        }
        tracing::error!(%reference, error = %err, "store call failed");
        AppError::Internal(reference)
    }
}

impl From<crate::model::FilterError> for AppError {
    fn from(err: crate::model::FilterError) -> Self {
        AppError::BadRequest(err.to_string())
    }
}
