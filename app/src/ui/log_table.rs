//! The log table: one row per event, newest first; a row opens its details.

use super::{history_href, tag_href, LocalTime};
use crate::model::Event;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// `show_tenant` is false for partners, who only ever see their own tenant.
#[component]
pub fn LogTable(events: Vec<Event>, show_tenant: bool) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="notice empty">"No events match this filter."</p> }.into_any();
    }
    view! {
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
                    {events.into_iter().map(|event| view! { <LogRow event show_tenant/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn LogRow(event: Event, show_tenant: bool) -> impl IntoView {
    let href = format!("/events/{}", event.id);
    let navigate = use_navigate();
    let open = {
        let href = href.clone();
        move |_| navigate(&href, Default::default())
    };
    let outcome = event.outcome.as_str();
    let severity = event.severity.as_str();
    view! {
        <tr class=format!("event-row severity-{severity}") data-id=event.id.clone() on:click=open>
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
                    view! { " "<span class="comment-count" title=label.clone() aria-label=label>"💬 "{n}</span> }
                })}
            </td>
        </tr>
    }
}
