//! Reading the log: pages of events, one event, the tenant list.

use crate::{
    error::AppError,
    model::{Event, EventFilter, EventPage, PageRequest, Tenant},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// A page of the log. Searches (a first page with any filter set) are
/// recorded in Logbook's own log; paging through them is not.
#[server(prefix = "/api", endpoint = "events/list", input = Json)]
pub async fn list_events(filter: EventFilter, page: PageRequest) -> Result<EventPage, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ViewLogs, "read the log").await?;
    let result = access
        .store
        .list_events(&access.scope(), &filter, &page)
        .await?;
    let params = filter.to_params();
    if !params.is_empty() && page.older_than.is_none() && page.newer_than.is_none() {
        let query: serde_json::Map<_, _> = params
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        let entry = Entry::new(
            "log.searched",
            "searched",
            format!(
                "Searched the log ({} on the first page)",
                result.events.len()
            ),
        )
        .metadata(serde_json::json!({
            "filter": query,
            "query": filter.to_query(),
            "first_page_rows": result.events.len(),
        }));
        access.log(entry).await?;
    }
    Ok(result)
}

/// One event, for the details view; the view is recorded in Logbook's own log.
#[server(prefix = "/api", endpoint = "events/get", input = Json)]
pub async fn get_event(id: String) -> Result<Event, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ViewLogs, "read the log").await?;
    let event = access
        .store
        .get_event(&access.scope(), &id)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let entry = Entry::new(
        "event.viewed",
        "viewed",
        format!("Viewed {} event {}", event.action, event.id),
    )
    .resource("event", &event.id, Some(event.action.clone()))
    .metadata(serde_json::json!({ "tenant": event.tenant }));
    access.log(entry).await?;
    Ok(event)
}

/// The tenants the caller may read (one for a partner), for the log's
/// switcher and the API-key form.
#[server(prefix = "/api", endpoint = "tenants/list", input = Json)]
pub async fn list_tenants() -> Result<Vec<Tenant>, AppError> {
    use crate::model::Permission;
    let access = super::access::own_password().await?;
    if !access.member.can(Permission::ViewLogs) && !access.member.can(Permission::ManageKeys) {
        return Err(access
            .deny("list tenants", Permission::ViewLogs.label())
            .await);
    }
    Ok(access.store.list_tenants(&access.scope()).await?)
}

/// Actors active lately whose id, email or name starts with what was typed,
/// for the actor filter's suggestions.
#[server(prefix = "/api", endpoint = "events/actors", input = Json)]
pub async fn suggest_actors(typed: String) -> Result<Vec<crate::model::Actor>, AppError> {
    use crate::model::Permission;
    /// How many of the newest events the suggestions come from.
    const WINDOW: i64 = 5_000;
    const SHOWN: usize = 8;
    let access = super::access::require(Permission::ViewLogs, "read the log").await?;
    if typed.trim().is_empty() {
        return Ok(Vec::new());
    }
    let actors = access.store.recent_actors(&access.scope(), WINDOW).await?;
    Ok(actors
        .into_iter()
        .filter(|a| a.matches_typed(&typed))
        .take(SHOWN)
        .collect())
}
