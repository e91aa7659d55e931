//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use super::AppState;
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub(super) async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = state.store.backend();
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": backend })),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": backend })),
            )
        }
    }
}
