//! The REST routes' one error: every refusal of ingest, export, the live
//! feed and the session layer leaves as `{"error":{"code","message"}}` with
//! its status. A store failure is logged once, here, under a reference the
//! caller sees.

use crate::ingest::IngestError;
use app::store::DbError;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn too_many_requests(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The one place a store error becomes a response: logged with a reference;
/// a read past its time budget or an unreachable database is a 503.
impl From<DbError> for ApiError {
    fn from(err: DbError) -> ApiError {
        let reference = ulid::Ulid::new().to_string();
        tracing::error!(%reference, error = %err, "request failed in the store");
        match err {
            DbError::TimedOut => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timed_out",
                format!("the query ran past its time budget; narrow it (reference {reference})"),
            ),
            _ => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("the database is unavailable (reference {reference})"),
            ),
        }
    }
}

impl From<IngestError> for ApiError {
    fn from(err: IngestError) -> ApiError {
        ApiError::new(err.status(), err.code(), err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_has_the_one_json_shape_with_its_status() {
        let response = ApiError::forbidden("your account may not export").into_response();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }

    #[test]
    fn a_store_timeout_is_a_503_that_says_to_narrow_the_query() {
        let err = ApiError::from(DbError::TimedOut);
        assert_eq!(err.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(err.code, "timed_out");
    }
}
