//! The log table: one row per event, newest first; a row opens its details.

use super::{history_href, tag_href, LiveRows, LocalTime};
use crate::model::Event;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// `show_tenant` is false for partners, who only ever see their own tenant.
/// With `live` (a stream URL, on a first page) new matching events appear at
/// the top as they arrive, with a pause toggle.
#[component]
pub fn LogTable(
    events: Vec<Event>,
    show_tenant: bool,
    #[prop(default = None)] live: Option<String>,
) -> impl IntoView {
    let rows = LiveRows::new();
    let following = live.is_some();
    if let Some(url) = live {
        rows.follow(url);
    }
    if events.is_empty() && !following {
        return view! { <p class="notice empty">"No events match this filter."</p> }.into_any();
    }
    let empty = events.is_empty();
    view! {
        {following.then(|| view! { <LiveBar rows/> })}
        {move || (empty && rows.shown.with(Vec::is_empty)).then(|| view! {
            <p class="notice empty">"No events match this filter yet; new ones will appear here."</p>
        })}
        <div class="table-wrap">
            <table class="log-table">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        {show_tenant.then(|| view! { <th scope="col">"Tenant"</th> })}
                        <th scope="col">"Actor"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Category"</th>
                        <th scope="col">"Resource"</th>
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"IP"</th>
                        <th scope="col">"Description"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || rows.shown.get() key=|e| e.id.clone() let:event>
                        <LogRow event show_tenant fresh=true/>
                    </For>
                    {events.into_iter().map(|event| view! { <LogRow event show_tenant/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Whether new events stream in, and a button to pause and resume them.
#[component]
fn LiveBar(rows: LiveRows) -> impl IntoView {
    let label = move || {
        if rows.paused.get() {
            let waiting = rows.held.with(Vec::len);
            format!("Resume live updates ({waiting} new)")
        } else {
            "Pause live updates".to_string()
        }
    };
    let state = move || match (rows.connected.get(), rows.paused.get()) {
        (false, _) => ("live-off", "Live updates stopped; reload to resume"),
        (true, true) => ("live-paused", "Paused"),
        (true, false) => ("live-on", "Live"),
    };
    view! {
        <div class="live-bar">
            <span class=move || format!("live-state {}", state().0)>{move || state().1}</span>
            <button type="button" class="live-toggle" aria-pressed=move || rows.paused.get().to_string()
                on:click=move |_| rows.toggle()>{label}</button>
        </div>
    }
    .into_any()
}

#[component]
fn LogRow(event: Event, show_tenant: bool, #[prop(optional)] fresh: bool) -> impl IntoView {
    let href = format!("/events/{}", event.id);
    let navigate = use_navigate();
    let open = {
        let href = href.clone();
        move |_| navigate(&href, Default::default())
    };
    let outcome = event.outcome.as_str();
    let severity = event.severity.as_str();
    view! {
        <tr class=format!("event-row severity-{severity}{}", if fresh { " fresh" } else { "" }) data-id=event.id.clone() on:click=open>
            <td class="time"><a href=href><LocalTime at=event.occurred_at/></a></td>
            {show_tenant.then(|| view! { <td class="tenant">{event.tenant.clone()}</td> })}
            <td class="actor">
                <span class="actor-name">{event.actor.label().to_string()}</span>
                {event.actor.email.clone().filter(|_| event.actor.name.is_some()).map(|email| view! { <span class="actor-email">{email}</span> })}
                <span class="badge actor-type">{event.actor.kind.as_str()}</span>
            </td>
            <td class="action"><code>{event.action.clone()}</code></td>
            <td class="category">{event.category.clone()}</td>
            <td class="resource">{event.resource.as_ref().map(|r| {
                let href = history_href(&event.tenant, &r.kind, &r.id);
                // The row opens the event; this link opens the resource's history.
                view! { <a href=href title="History of this resource" on:click=|ev| ev.stop_propagation()>{r.label()}</a> }
            })}</td>
            <td class="outcome"><span class=format!("badge outcome-{outcome}")>{outcome}</span></td>
            <td class="ip">{event.ip.clone()}</td>
            <td class="description">
                {event.description.clone()}
                {event.tags.iter().map(|t| {
                    let href = tag_href(&event.tenant, t);
                    view! { " "<a class="tag" href=href on:click=|ev| ev.stop_propagation()>{t.clone()}</a> }
                }).collect_view()}
                {(event.comments > 0).then(|| {
                    let n = event.comments;
                    let label = format!("{n} comment{}", if n == 1 { "" } else { "s" });
                    view! { " "<span class="comment-count">{label}</span> }
                })}
            </td>
        </tr>
    }
    .into_any()
}
