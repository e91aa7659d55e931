//! The embedded viewer's HTTP side: `POST /api/v1/viewer-tokens`, which a
//! platform calls from its own server with a `read` key to let one of its
//! users see part of its log, and the framing policy of `/embed` pages:
//! only the tenant's allowed origins may frame them.

use super::{
    export::{export_slot, stream},
    params::Params,
    ApiError, AppState,
};
use crate::ingest::authenticate_key;
use app::{
    auth::{Entry, ViewerGrant, DEFAULT_TTL_SECS, MAX_TTL_SECS},
    export::{ExportJob, Progress},
    model::{check_origin, EventFilter, ExportFormat, KeyScope},
};
use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, Request},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use std::sync::Arc;

/// What the platform asks for; every part narrows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    /// Only this actor's events (the end user's own actions).
    actor: Option<String>,
    /// Only this resource's events.
    resource: Option<ResourceRef>,
    /// Only events this query-bar line matches.
    filter: Option<String>,
    /// May the viewer download what it sees (the key needs `export`).
    #[serde(default)]
    export: bool,
    /// The platform's id for the person who will view, for Logbook's own log.
    user: Option<String>,
    /// Seconds the token lives: up to 4 hours, 15 minutes by default.
    expires_in: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceRef {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

/// Longest actor, resource or user id a token names (as at ingest).
const MAX_ID_CHARS: usize = 256;
/// Longest fixed filter, as the read API's `q`.
const MAX_FILTER_CHARS: usize = 4096;

pub(super) async fn issue_viewer_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (settings, key) = authenticate_key(&*state.store, &headers, KeyScope::Read).await?;
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        &body[..]
    };
    let request: TokenRequest = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not a token request: {e}")))?;
    let text = |name: &str, value: Option<String>| -> Result<Option<String>, ApiError> {
        match value {
            None => Ok(None),
            Some(v) if v.trim().is_empty() || v.chars().count() > MAX_ID_CHARS => Err(
                ApiError::bad_request(format!("{name} is 1 to {MAX_ID_CHARS} characters")),
            ),
            Some(v) => Ok(Some(v.trim().to_string())),
        }
    };
    let resource = match request.resource {
        None => None,
        Some(r) => Some((
            text("resource.type", Some(r.kind))?.unwrap_or_default(),
            text("resource.id", Some(r.id))?.unwrap_or_default(),
        )),
    };
    if request
        .filter
        .as_ref()
        .is_some_and(|f| f.chars().count() > MAX_FILTER_CHARS)
    {
        return Err(ApiError::bad_request(format!(
            "filter is at most {MAX_FILTER_CHARS} characters"
        )));
    }
    let filter = request
        .filter
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty());
    if let Some(line) = &filter {
        EventFilter::parse_query(line)
            .map_err(|e| ApiError::bad_request(format!("filter: {e}")))?;
    }
    if request.export && !key.allows(KeyScope::Export) {
        return Err(ApiError::forbidden(
            "a token may export only if its key may: create the key with the 'export' scope",
        ));
    }
    let ttl = request.expires_in.unwrap_or(DEFAULT_TTL_SECS);
    if !(1..=MAX_TTL_SECS).contains(&ttl) {
        return Err(ApiError::bad_request(format!(
            "expires_in is 1 to {MAX_TTL_SECS} seconds"
        )));
    }
    let actor = text("actor", request.actor)?;
    let now = chrono::Utc::now();
    let grant = ViewerGrant {
        id: ulid::Ulid::new().to_string(),
        tenant_id: settings.tenant.id,
        tenant: settings.tenant.slug.clone(),
        key: key.prefix.clone(),
        user: text("user", request.user)?.or_else(|| actor.clone()),
        actor,
        resource,
        filter,
        export: request.export,
        expires_at: now.timestamp() + ttl,
    };
    let token = grant.seal(&state.sealer);
    let expires_at = chrono::DateTime::from_timestamp(grant.expires_at, 0).unwrap_or(now);
    Entry::new(
        "viewer_token.issued",
        "created",
        format!(
            "Issued a viewer link for {} ({})",
            grant.user.as_deref().unwrap_or("an unnamed user"),
            describe(&grant)
        ),
    )
    .by_api_key(&key.prefix, &key.name)
    .resource("viewer_token", &grant.id, grant.user.clone())
    .metadata(serde_json::json!({
        "tenant": grant.tenant,
        "actor": grant.actor,
        "resource": grant.resource.as_ref().map(|(t, i)| serde_json::json!({ "type": t, "id": i })),
        "filter": grant.filter,
        "export": grant.export,
        "user": grant.user,
        "expires_at": expires_at.to_rfc3339(),
    }))
    .record_or_log(&*state.store)
    .await?;
    Ok(Json(serde_json::json!({
        "token": token,
        "url": format!("/embed?token={token}"),
        "expires_at": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }))
    .into_response())
}

/// What a grant shows, in words, for the own log.
pub(crate) fn describe(grant: &ViewerGrant) -> String {
    let mut parts = Vec::new();
    if let Some(actor) = &grant.actor {
        parts.push(format!("actor {actor}"));
    }
    if let Some((kind, id)) = &grant.resource {
        parts.push(format!("{kind} {id}"));
    }
    if let Some(filter) = &grant.filter {
        parts.push(format!("matching {filter}"));
    }
    if parts.is_empty() {
        parts.push(format!("all of {}", grant.tenant));
    }
    if grant.export {
        parts.push("may export".into());
    }
    parts.join(", ")
}

/// `/embed` pages may be framed by the token's tenant's allowed origins
/// (and an expired token's, so that the frame can say it expired) and by
/// Logbook's own pages; every other page, and an embed page with a forged
/// token, by no one.
pub(super) async fn frame_policy(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path != "/embed" && !path.starts_with("/embed/") {
        return next.run(request).await;
    }
    let token = request.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.into_owned())
    });
    let grant = token.map(|t| ViewerGrant::unseal(&state.sealer, &t));
    let framable = matches!(grant, Some(Ok(_)));
    let origins: Vec<String> = match grant {
        Some(Ok(grant)) => state
            .store
            .embed_origins(grant.tenant_id)
            .await
            .unwrap_or_default()
            .into_iter()
            // Checked when saved; checked again as they enter a header.
            .filter(|o| check_origin(o).as_ref() == Ok(o))
            .collect(),
        _ => Vec::new(),
    };
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if !framable {
        return response;
    }
    headers.remove(header::X_FRAME_OPTIONS);
    // 'self' too: Logbook's own pages (the demo portal) may show it.
    let ancestors = format!("frame-ancestors 'self' {}", origins.join(" "));
    let policy = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .map(|p| p.replace("frame-ancestors 'none'", &ancestors));
    if let Some(Ok(value)) = policy.map(|p| HeaderValue::from_str(&p)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `GET /api/embed/export/{format}?token=…&q=…`: what the viewer sees, as a
/// file, if its token may export. Recorded like any export, under the viewer.
pub(super) async fn embed_export(
    State(state): State<AppState>,
    Path(format): Path<String>,
    Params(params): Params,
) -> Result<Response, ApiError> {
    let token = params.get("token").map(String::as_str).unwrap_or_default();
    let grant = ViewerGrant::open(&state.sealer, token, chrono::Utc::now().timestamp())
        .map_err(|e| ApiError::forbidden(e.to_string()))?;
    if !grant.key_is_live(&*state.store).await? {
        return Err(ApiError::forbidden(
            "this viewer link was withdrawn: ask the site that showed it",
        ));
    }
    if !grant.export {
        return Err(ApiError::forbidden("this viewer link may not download"));
    }
    let format: ExportFormat = format
        .parse()
        .map_err(|e: app::model::ParseEnumError| ApiError::bad_request(e.to_string()))?;
    let asked = EventFilter::parse_query(params.get("q").map(String::as_str).unwrap_or_default())
        .map_err(|e| ApiError::bad_request(format!("q: {e}")))?;
    let slot = export_slot(&state, &format!("viewer:{}", grant.id))?;
    let entry =
        Entry::new("log.exported", "exported", "").by_viewer(&grant.tenant, grant.user.as_deref());
    let job = ExportJob::new(
        state.store.clone(),
        grant.scope(),
        grant.narrow(asked),
        format,
    );
    Ok(stream(
        &state,
        job,
        Arc::new(Progress::default()),
        entry,
        slot,
    ))
}
