//! Every event about one resource, newest first, with what each changed:
//! "who changed this, when, and what was it before?" on one page.

use crate::{
    api::list_events,
    error::AppError,
    model::{Cursor, Event, EventFilter, PageRequest, QuickRange, Terms},
    ui::{diff_rows, history_href, log_href, ChangeKind, ErrorNotice, LocalTime},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Events per page of a history.
const HISTORY_PAGE: u32 = 100;

#[component]
pub fn ResourceHistoryPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        let params = query.get();
        let get = |name: &str| params.get(name).filter(|v| !v.trim().is_empty());
        let (Some(kind), Some(id)) = (get("type"), get("id")) else {
            return Err(AppError::BadRequest(
                "A resource history needs its type and id: /resource?type=license&id=KEY-1".into(),
            ));
        };
        let filter = EventFilter {
            tenant: get("tenant"),
            is: Terms {
                resource_type: Some(kind),
                resource_id: Some(id),
                ..Default::default()
            },
            range: Some(QuickRange::All),
            ..Default::default()
        };
        let older = get("older")
            .map(|c| c.parse::<Cursor>())
            .transpose()
            .map_err(AppError::BadRequest)?;
        let page = PageRequest {
            older_than: older,
            newer_than: None,
            limit: HISTORY_PAGE,
        };
        Ok((filter, page))
    });
    let events = Resource::new(
        move || request.get(),
        |request| async move {
            let (filter, page) = request?;
            list_events(filter, page).await
        },
    );
    view! {
        <section class="history">
            <Transition fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (filter, page) = match (request.get(), events.await) {
                        (Ok((filter, _)), Ok(page)) => (filter, page),
                        (Err(err), _) | (_, Err(err)) => return view! { <ErrorNotice err/> }.into_any(),
                    };
                    let kind = filter.is.resource_type.clone().unwrap_or_default();
                    let id = filter.is.resource_id.clone().unwrap_or_default();
                    let name = page.events.iter().find_map(|e| e.resource.as_ref()?.name.clone());
                    let older = page.older.map(|c| {
                        let tenant = filter.tenant.clone().unwrap_or_default();
                        format!("{}&older={c}", history_href(&tenant, &kind, &id))
                    });
                    let in_log = log_href(&filter, None);
                    let count = page.events.len();
                    view! {
                        <h1>"History of "{kind.clone()}" "<code>{id.clone()}</code>{name.map(|n| format!(" · {n}"))}</h1>
                        <p class="subtle">
                            {format!("{count} event{} shown, newest first. ", if count == 1 { "" } else { "s" })}
                            <a href=in_log>"Open in the log"</a>
                        </p>
                        {if page.events.is_empty() {
                            view! { <p class="notice empty">"No event is about this resource (or it is not yours to see)."</p> }.into_any()
                        } else {
                            view! { <ol class="timeline">{page.events.into_iter().map(|event| view! { <HistoryEntry event/> }).collect_view()}</ol> }.into_any()
                        }}
                        {older.map(|href| view! { <nav class="pager"><a href=href class="older">"Older →"</a></nav> })}
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// One event of a history: who, what, and the fields it changed.
#[component]
fn HistoryEntry(event: Event) -> impl IntoView {
    let changes: Vec<String> = diff_rows(event.before.as_ref(), event.after.as_ref())
        .into_iter()
        .filter(|row| row.kind != ChangeKind::Unchanged)
        .map(|row| {
            let show = |v: Option<String>| v.unwrap_or_else(|| "—".into());
            format!("{}: {} → {}", row.field, show(row.before), show(row.after))
        })
        .collect();
    let outcome = event.outcome.as_str();
    view! {
        <li class=format!("entry severity-{}", event.severity.as_str())>
            <div class="when"><a href=format!("/events/{}", event.id)><LocalTime at=event.occurred_at/></a></div>
            <div class="what">
                <strong>{event.actor.label().to_string()}</strong>" "
                <code>{event.action.clone()}</code>" "
                <span class=format!("badge outcome-{outcome}")>{outcome}</span>
                <p>{event.description.clone()}</p>
                {(!changes.is_empty()).then(|| view! {
                    <ul class="changed-fields">{changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                })}
            </div>
        </li>
    }
}
