//! The REST routes' one error: every refusal of ingest, export, the live
//! feed and the session layer leaves as `{"error":{"code","message"}}` with
//! its status. A store failure is logged once, here, under a reference the
//! caller sees.

use crate::ingest::IngestError;
use app::store::DbError;
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds to wait before retrying, sent as `Retry-After`.
    retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same refusal, telling the client when a retry may succeed.
    pub fn retry_after(mut self, seconds: u32) -> ApiError {
        self.retry_after = Some(seconds);
        self
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
/// a read past its time budget, a full disk or an unreachable database is a
/// 503, the last two with a Retry-After.
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
            DbError::StorageFull => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_full",
                format!("the disk holding the database is full (reference {reference})"),
            )
            .retry_after(30),
            DbError::Unreachable(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                format!("the database is unavailable (reference {reference})"),
            )
            .retry_after(5),
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
        let refusal = ApiError::new(err.status(), err.code(), err.to_string());
        match err.retry_after() {
            Some(seconds) => refusal.retry_after(seconds),
            None => refusal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
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

    #[test]
    fn a_full_disk_is_a_503_that_says_when_to_retry() {
        let response = ApiError::from(DbError::StorageFull).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "30");
    }

    #[test]
    fn an_ingest_refused_for_an_unreachable_database_says_when_to_retry() {
        let err = IngestError::from(DbError::Unreachable("connection refused".into()));
        let response = ApiError::from(err).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
    }
}
