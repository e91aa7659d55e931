//! The router: which path goes where.

use super::{health::healthz, openapi::openapi, AppState};
use crate::ingest::ingest_events;
use app::{api::Db, shell};
use axum::{
    body::Body,
    extract::{DefaultBodyLimit, State},
    http::Request,
    response::IntoResponse,
    routing::{get, post},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{handle_server_fns_with_context, LeptosRoutes};
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let store = state.store.clone();
    let context = move || provide_context(Db(store.clone()));
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        .route(
            "/api/v1/events",
            post(ingest_events).layer(DefaultBodyLimit::max(state.limits.max_body_bytes)),
        )
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/{*fn_name}", get(server_fns).post(server_fns))
        .leptos_routes_with_context(&state, state.routes.clone(), context, move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Server functions get the store through context, never a global.
async fn server_fns(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    let store = state.store.clone();
    handle_server_fns_with_context(move || provide_context(Db(store.clone())), request).await
}
