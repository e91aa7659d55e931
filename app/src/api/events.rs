//! Reading the log: pages of events, one event, the tenant list.

use crate::{
    error::AppError,
    model::{Event, EventFilter, EventPage, PageRequest, Tenant},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// The store, as handed to server functions through Leptos context.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Db(pub std::sync::Arc<dyn crate::store::Store>);

#[cfg(feature = "ssr")]
pub(super) fn db() -> Result<Db, AppError> {
    use_context::<Db>().ok_or_else(|| {
        tracing::error!("server function called without the store in context");
        AppError::Internal("no-store".into())
    })
}

/// Whose rows the dashboard may read. Until sign-in exists, the dashboard is
/// the operator's own console and sees every tenant.
#[cfg(feature = "ssr")]
pub(super) fn dashboard_scope() -> crate::store::TenantScope {
    crate::store::TenantScope::all_tenants()
}

#[server(prefix = "/api", endpoint = "events/list", input = Json)]
pub async fn list_events(filter: EventFilter, page: PageRequest) -> Result<EventPage, AppError> {
    Ok(db()?
        .0
        .list_events(&dashboard_scope(), &filter, &page)
        .await?)
}

#[server(prefix = "/api", endpoint = "events/get", input = Json)]
pub async fn get_event(id: String) -> Result<Event, AppError> {
    db()?
        .0
        .get_event(&dashboard_scope(), &id)
        .await?
        .ok_or(AppError::NotFound)
}

#[server(prefix = "/api", endpoint = "tenants/list", input = Json)]
pub async fn list_tenants() -> Result<Vec<Tenant>, AppError> {
    Ok(db()?.0.list_tenants(&dashboard_scope()).await?)
}
