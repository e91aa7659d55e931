//! The read API, for automation with a key holding the `read` scope:
//! `GET /api/v1/events?q=<query-bar line>&limit=&cursor=` pages through the
//! key's tenant newest first; `GET /api/v1/events/{id}` reads one event.
//! Both answer events in the export's JSON shape.

use super::{params::Params, ApiError, AppState};
use crate::ingest::authenticate_key;
use app::{
    auth::Entry,
    export::{event_json, read_page, windowed, ApiCursor, DEFAULT_LIMIT, MAX_LIMIT},
    model::{EventFilter, KeyScope},
    store::{Store, TenantScope},
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use std::sync::Arc;

const PARAMS: [&str; 3] = ["q", "limit", "cursor"];
/// As the OpenAPI document says; the query bar's own lines are far shorter.
const MAX_QUERY_CHARS: usize = 4096;

/// A page of the key's tenant's log. Only the first page of a query is
/// recorded in Logbook's own log: paging on is the same read.
pub(super) async fn read_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(params): Params,
) -> Result<Response, ApiError> {
    let (settings, key) = authenticate_key(&*state.store, &headers, KeyScope::Read).await?;
    if let Some(unknown) = params.keys().find(|p| !PARAMS.contains(&p.as_str())) {
        return Err(ApiError::bad_request(format!(
            "unknown parameter '{unknown}': filters go in q, written as in the log's \
             query bar (q=action:license.* -outcome:success); the others are limit and cursor"
        )));
    }
    let query = params.get("q").map(|q| q.trim()).unwrap_or_default();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(format!(
            "q is at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let filter =
        EventFilter::parse_query(query).map_err(|e| ApiError::bad_request(format!("q: {e}")))?;
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("limit is a whole number from 1 to {MAX_LIMIT}"))
            })?,
    };
    let cursor = params
        .get("cursor")
        .map(|c| ApiCursor::decode(c.trim()))
        .transpose()
        .map_err(ApiError::bad_request)?;
    let filter = windowed(filter, cursor.as_ref(), chrono::Utc::now());
    let scope = TenantScope::tenant(settings.tenant.id);
    let body = read_page(&*state.store, &scope, &filter, cursor.as_ref(), limit).await?;
    if cursor.is_none() {
        let entry = Entry::new("log.searched", "searched", "Read the log through the API")
            .by_api_key(&key.prefix, &key.name)
            .metadata(serde_json::json!({
                "tenant": settings.tenant.slug,
                "query": filter.to_query(),
                "limit": limit,
            }));
        record_later(state.store.clone(), entry);
    }
    Ok(json(body))
}

/// One event of the key's tenant; another tenant's id is not found.
pub(super) async fn read_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (settings, key) = authenticate_key(&*state.store, &headers, KeyScope::Read).await?;
    let scope = TenantScope::tenant(settings.tenant.id);
    let Some(event) = state.store.get_event(&scope, &id).await? else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no event '{id}' in tenant '{}'", settings.tenant.slug),
        ));
    };
    let entry = Entry::new(
        "event.viewed",
        "viewed",
        format!("Read {} event {} through the API", event.action, event.id),
    )
    .by_api_key(&key.prefix, &key.name)
    .resource("event", &event.id, Some(event.action.clone()))
    .metadata(serde_json::json!({ "tenant": event.tenant }));
    record_later(state.store.clone(), entry);
    Ok(json(event_json(&event)))
}

/// Records the read in Logbook's own log without holding up the answer:
/// the record is Logbook's, not a promise made to the reader.
fn record_later(store: Arc<dyn Store>, entry: Entry) {
    tokio::spawn(async move {
        if let Err(err) = entry.record_or_log(&*store).await {
            tracing::error!(error = %err, "could not record an API read");
        }
    });
}

fn json(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}
