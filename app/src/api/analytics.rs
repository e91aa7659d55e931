//! The analytics page's data: the log's filter, counted.

use crate::{
    error::AppError,
    model::{AnalyticsRequest, AnalyticsView, EventFilter, Sparkline},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// The cookie the browser keeps its time zone in, for pages rendered on the server.
pub const TZ_COOKIE: &str = "logbook_tz";

/// Charts and counts for a filter, in the caller's tenant scope. Looking at
/// them is recorded in Logbook's own log like a search of the log.
#[server(prefix = "/api", endpoint = "analytics", input = Json)]
pub async fn load_analytics(request: AnalyticsRequest) -> Result<AnalyticsView, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ViewLogs, "read the log").await?;
    let mut request = request;
    if request.tz.is_none() {
        request.tz = browser_zone();
    }
    let query = request.filter.to_query();
    let view = crate::analytics::analytics(
        access.store.as_ref(),
        &access.scope(),
        request,
        chrono::Utc::now(),
    )
    .await?;
    let entry = Entry::new("log.analysed", "searched", "Viewed analytics of the log").metadata(
        serde_json::json!({
            "query": query,
            "from": view.from,
            "to": view.to,
            "bucket": view.bucket,
        }),
    );
    access.log(entry).await?;
    Ok(view)
}

/// The log page's sparkline for its filter (not logged: the page's search is).
#[server(prefix = "/api", endpoint = "analytics/sparkline", input = Json)]
pub async fn load_sparkline(filter: EventFilter) -> Result<Sparkline, AppError> {
    use crate::model::Permission;
    let access = super::access::require(Permission::ViewLogs, "read the log").await?;
    Ok(crate::analytics::sparkline(
        access.store.as_ref(),
        &access.scope(),
        &filter,
        browser_zone(),
        chrono::Utc::now(),
    )
    .await?)
}

/// The zone the browser last told us (see `TZ_COOKIE`), if any.
#[cfg(feature = "ssr")]
fn browser_zone() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    crate::auth::cookie_value(&parts.headers, TZ_COOKIE).map(|value| value.replace("%2F", "/"))
}
