//! `GET /healthz`: 200 when the database answers and takes writes; 503 when
//! it does not answer, or when it answers reads but the last append failed
//! for a fault of the storage (a full disk), saying which.

use super::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub(super) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.store.backend();
    if let Err(err) = state.store.ping().await {
        tracing::warn!(error = %err, "health check: database unreachable");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(
                json!({ "status": "unavailable", "database": backend, "reason": err.to_string() }),
            ),
        );
    }
    match state.store.write_fault() {
        None => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": backend })),
        ),
        // Reads still work (the dashboard stays up); ingest is refused until
        // a commit succeeds again, which the next retried append will tell.
        Some(fault) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "degraded",
                "database": backend,
                "reads": "ok",
                "ingest": "refused",
                "reason": fault.code,
                "message": fault.message,
            })),
        ),
    }
}
