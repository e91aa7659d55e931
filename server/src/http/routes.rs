//! The router: which path goes where.

use super::{
    embed::{embed_export, frame_policy, issue_viewer_token},
    export::{api_export, dashboard_export},
    health::healthz,
    live::live_events,
    openapi::openapi,
    portal::demo_portal,
    protect::protect,
    read::{read_event, read_events},
    session::authenticate,
    AppState,
};
use crate::ingest::ingest_events;
use app::{api::Db, error::AppError, integrity::Keys, shell};
use axum::{
    body::Body,
    extract::State,
    http::{Request, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{handle_server_fns_with_context, LeptosRoutes};
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let context = context(&state);
    let options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(healthz))
        // The handler reads the body itself, after the key, up to `max_body_bytes`.
        .route("/api/v1/events", post(ingest_events).get(read_events))
        .route("/api/v1/events/{id}", get(read_event))
        .route("/api/v1/viewer-tokens", post(issue_viewer_token))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/events/export", get(api_export))
        .route("/api/exports/{format}", get(dashboard_export))
        .route("/api/embed/export/{format}", get(embed_export))
        .route("/api/live", get(live_events))
        .route("/demo/portal", get(demo_portal))
        .route("/api/{*fn_name}", get(server_fns).post(server_fns))
        .leptos_routes_with_context(&state, state.routes.clone(), context.clone(), move || {
            shell(options.clone())
        })
        // Not-found pages render the app too (its top bar asks who is signed in).
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(error_status))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn(protect))
        // Outside `protect`: it loosens `protect`'s no-framing for embeds.
        .layer(middleware::from_fn_with_state(state.clone(), frame_policy))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What pages and server functions find in context: never a global.
fn context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let (store, exports) = (state.store.clone(), state.exports.clone());
    let (keys, retention) = (Keys(state.signer.clone()), state.retention);
    let (targets, limiters) = (state.targets, state.limiters.clone());
    let sealer = state.sealer.clone();
    move || {
        provide_context(sealer.clone());
        provide_context(retention);
        provide_context(targets);
        provide_context(limiters.clone());
        provide_context(Db(store.clone()));
        provide_context(exports.clone());
        provide_context(keys.clone());
    }
}

async fn server_fns(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(context(&state), request).await
}

/// A server function's error raised before the function ran (its arguments
/// did not decode) is answered with 500 whatever it is; this answers with the
/// error's own status instead.
async fn error_status(request: Request<Body>, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}
