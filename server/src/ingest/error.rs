//! Why a whole ingest request was refused: a status and a code, sent as the
//! REST edge's one error shape (`http::ApiError`).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// No `Authorization: Bearer …` header.
    #[error("send an API key as 'Authorization: Bearer <key>'")]
    MissingKey,
    /// The key is malformed, unknown, or does not match.
    #[error("the API key is not valid")]
    InvalidKey,
    /// The key was revoked; its tenant must issue a new one.
    #[error("the API key has been revoked")]
    RevokedKey,
    /// The key exists but was not given this scope.
    #[error("this API key may not {0}: create a key with the '{0}' scope")]
    KeyScope(app::model::KeyScope),
    /// The body is larger than the configured limit.
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// The batch holds more events than the configured limit.
    #[error("a request may hold at most {max} events; this one holds {got}")]
    TooManyEvents { max: usize, got: usize },
    #[error("a request must hold at least one event")]
    EmptyBatch,
    /// The body is not JSON, or not an array or object of events.
    #[error("the body is not valid JSON: {0}")]
    BadJson(String),
    #[error("the body must be a JSON array of events (or one event object)")]
    NotEvents,
    #[error("Idempotency-Key must be 1 to 255 visible ASCII characters")]
    BadIdempotencyKey,
    /// The same key was used before with a different body.
    #[error("this Idempotency-Key was already used with a different request body")]
    IdempotencyKeyReused,
    /// The disk holding the database is full; nothing was stored.
    #[error("the disk holding the database is full: nothing was stored; retry after the Retry-After seconds (reference {0})")]
    StorageFull(String),
    /// The database cannot be reached; nothing was stored.
    #[error("the database is unreachable: nothing was stored; retry after the Retry-After seconds (reference {0})")]
    Unavailable(String),
    /// Storage failed; the cause is logged under the reference.
    #[error("internal error (reference {0})")]
    Internal(String),
}

impl IngestError {
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            IngestError::MissingKey | IngestError::InvalidKey | IngestError::RevokedKey => {
                StatusCode::UNAUTHORIZED
            }
            IngestError::KeyScope(_) => StatusCode::FORBIDDEN,
            IngestError::BodyTooLarge(_) | IngestError::TooManyEvents { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            IngestError::EmptyBatch
            | IngestError::BadJson(_)
            | IngestError::NotEvents
            | IngestError::BadIdempotencyKey => StatusCode::BAD_REQUEST,
            IngestError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            IngestError::StorageFull(_) | IngestError::Unavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            IngestError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn code(&self) -> &'static str {
        match self {
            IngestError::MissingKey => "missing_api_key",
            IngestError::InvalidKey => "invalid_api_key",
            IngestError::RevokedKey => "revoked_api_key",
            IngestError::KeyScope(_) => "key_scope_missing",
            IngestError::BodyTooLarge(_) => "body_too_large",
            IngestError::TooManyEvents { .. } => "too_many_events",
            IngestError::EmptyBatch => "empty_batch",
            IngestError::BadJson(_) => "invalid_json",
            IngestError::NotEvents => "invalid_body",
            IngestError::BadIdempotencyKey => "invalid_idempotency_key",
            IngestError::IdempotencyKeyReused => "idempotency_key_reused",
            IngestError::StorageFull(_) => "storage_full",
            IngestError::Unavailable(_) => "database_unavailable",
            IngestError::Internal(_) => "internal_error",
        }
    }

    /// Seconds a client should wait before sending the same request again,
    /// for refusals that a retry cures.
    pub(crate) fn retry_after(&self) -> Option<u32> {
        match self {
            // Someone must free space: not worth retrying every second.
            IngestError::StorageFull(_) => Some(30),
            IngestError::Unavailable(_) => Some(5),
            _ => None,
        }
    }
}

/// The one place a store error becomes an ingest error: logged with a reference.
impl From<app::store::DbError> for IngestError {
    fn from(err: app::store::DbError) -> Self {
        let reference = ulid::Ulid::new().to_string();
        tracing::error!(%reference, error = %err, "ingest failed in the store");
        match err {
            app::store::DbError::StorageFull => IngestError::StorageFull(reference),
            app::store::DbError::Unreachable(_) => IngestError::Unavailable(reference),
            _ => IngestError::Internal(reference),
        }
    }
}

/// Leaves through the REST edge's one error shape.
impl IntoResponse for IngestError {
    fn into_response(self) -> Response {
        crate::http::ApiError::from(self).into_response()
    }
}
