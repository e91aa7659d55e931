//! `/demo/portal`, in demo mode: a licence vendor's customer portal as a
//! platform would build it. Its server asks Logbook for a viewer token for
//! the signed-in customer (here: the demo tenant's busiest customer), then
//! embeds `/embed` for that customer alone, themed to the portal.

use super::{ApiError, AppState};
use app::{
    auth::{Entry, ViewerGrant, DEFAULT_TTL_SECS},
    model::{ActorType, EventFilter, PageRequest, SELF_TENANT},
    store::TenantScope,
};
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
};
use std::collections::HashMap;

pub(super) async fn demo_portal(State(state): State<AppState>) -> Result<Response, ApiError> {
    if !state.demo {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "the demo portal is shown only with demo data",
        ));
    }
    let Some(tenant) = state
        .store
        .list_tenants(&TenantScope::all_tenants())
        .await?
        .into_iter()
        .find(|t| t.slug != SELF_TENANT)
    else {
        return Err(ApiError::bad_request("no demo tenant"));
    };
    let scope = TenantScope::tenant(tenant.id);
    let keys = state.store.list_api_keys(&scope).await?;
    let Some(key) = keys.iter().find(|k| k.revoked_at.is_none()) else {
        return Err(ApiError::bad_request("the demo tenant has no API key"));
    };
    // The customer with the most events on the newest page.
    let page = state
        .store
        .bare_page(&scope, &EventFilter::default(), &PageRequest::first(500))
        .await?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for event in &page.events {
        if matches!(event.actor.kind, ActorType::Customer | ActorType::Staff) {
            *counts.entry(event.actor.id.as_str()).or_default() += 1;
        }
    }
    let Some((actor, _)) = counts.into_iter().max_by_key(|(id, n)| (*n, *id)) else {
        return Err(ApiError::bad_request(
            "the demo tenant has no customer events",
        ));
    };
    let name = page
        .events
        .iter()
        .find(|e| e.actor.id == actor)
        .map(|e| e.actor.label().to_string())
        .unwrap_or_else(|| actor.to_string());
    let grant = ViewerGrant {
        id: ulid::Ulid::new().to_string(),
        tenant_id: tenant.id,
        tenant: tenant.slug.clone(),
        key: key.prefix.clone(),
        actor: Some(actor.to_string()),
        resource: None,
        filter: None,
        export: true,
        user: Some(actor.to_string()),
        expires_at: chrono::Utc::now().timestamp() + DEFAULT_TTL_SECS,
    };
    let token = grant.seal(&state.sealer);
    Entry::new(
        "viewer_token.issued",
        "created",
        format!("Issued a viewer link for {actor} (the demo portal)"),
    )
    .by_system("demo-portal")
    .resource("viewer_token", &grant.id, Some(actor.to_string()))
    .metadata(serde_json::json!({ "tenant": tenant.slug, "actor": actor }))
    .record_or_log(&*state.store)
    .await?;
    let src = format!("/embed?token={token}&accent=%23c2410c&font=Georgia");
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{tenant} customer portal</title>
<style>
body {{ margin: 0; font: 15px/1.5 Georgia, serif; background: #fdf8f3; color: #2b1d12; }}
header {{ background: #7c2d12; color: #fff; padding: 14px 28px; display: flex; justify-content: space-between; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 20px 28px; }}
iframe {{ width: 100%; height: 640px; border: 1px solid #e7d7c7; border-radius: 8px; background: #fff; }}
</style></head>
<body><header><strong>{tenant} · Customer portal</strong><span>Signed in as {name}</span></header>
<main><h1>Your account activity</h1>
<p>Everything done on your account, by you and by our staff, as recorded in our audit log.</p>
<iframe title="Account activity" src="{src}"></iframe></main></body></html>"#,
        tenant = html_escape(&tenant.name),
        name = html_escape(&name),
    );
    Ok((
        [(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )],
        Html(page),
    )
        .into_response())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
