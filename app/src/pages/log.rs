//! The log table page: filter and page cursors come from the URL.

use crate::{
    api::{list_events, list_tenants, load_sparkline},
    error::AppError,
    model::{Cursor, EventFilter, PageRequest, Permission, PAGE_SIZE},
    ui::{
        live_href, ActivitySparkline, ErrorNotice, ExportMenu, FilterBar, LogTable, Pager,
        SavedViews,
    },
    ViewerResource,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LogPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        let params = query.get();
        // `bar`: the query bar submitted without scripts.
        let filter = match params.get("bar") {
            Some(bar) => EventFilter::parse_query(&bar)
                .map_err(|e| AppError::BadRequest(format!("The query does not read: {e}")))?,
            None => EventFilter::from_params(|name| params.get(name))?,
        }
        .or_default_range();
        let cursor = |name: &str| -> Result<Option<Cursor>, AppError> {
            params
                .get(name)
                .filter(|v| !v.is_empty())
                .map(|v| v.parse::<Cursor>())
                .transpose()
                .map_err(AppError::BadRequest)
        };
        let page = PageRequest {
            older_than: cursor("older")?,
            newer_than: cursor("newer")?,
            limit: PAGE_SIZE,
        };
        Ok::<_, AppError>((filter, page))
    });
    let filter = Memo::new(move |_| request.get().map(|(f, _)| f).unwrap_or_default());
    let events = Resource::new(
        move || request.get(),
        |request| async move {
            let (filter, page) = request?;
            list_events(filter, page).await
        },
    );
    let tenants = Resource::new(|| (), |_| list_tenants());
    let spark = Resource::new(move || filter.get(), load_sparkline);

    view! {
        <section class="log">
            <h1>"Activity log"</h1>
            <div class="log-layout">
            <div class="log-main">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let tenants = tenants.await.unwrap_or_default();
                    let can_export = match use_context::<ViewerResource>() {
                        Some(viewer) => viewer.can(Permission::Export).await,
                        None => false,
                    };
                    view! {
                        <FilterBar filter=filter.get() tenants/>
                        {can_export.then(|| view! { <ExportMenu filter=filter.get()/> })}
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    spark.await.ok().map(|spark| view! { <ActivitySparkline spark/> })
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    // One visible tenant (a partner): no tenant column.
                    let show_tenant = tenants.await.map(|t| t.len() > 1).unwrap_or(false);
                    let first_page = request.get().is_ok_and(|(_, p)| p.older_than.is_none() && p.newer_than.is_none());
                    match events.await {
                        Ok(page) => view! {
                            <LogTable events=page.events.clone() show_tenant
                                live=first_page.then(|| live_href(&filter.get(), page.events.first().map(Cursor::of).as_ref()))/>
                            <Pager filter=filter.get() older=page.older newer=page.newer/>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Transition>
            </div>
            {move || view! { <SavedViews filter=filter.get()/> }}
            </div>
        </section>
    }
}
