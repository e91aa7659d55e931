//! The viewer's table: what a platform's user sees of each event. Times
//! are UTC, said in the heading; each row's time and description open it.

use super::{Place, Texts};
use crate::model::Event;
use leptos::prelude::*;

#[component]
pub fn ViewerTable(events: Vec<Event>, place: Place, texts: &'static Texts) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="notice empty">{texts.no_events}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="log-table embed-table">
                <thead>
                    <tr>
                        <th scope="col">{texts.time}</th>
                        <th scope="col">{texts.actor}</th>
                        <th scope="col">{texts.action}</th>
                        <th scope="col">{texts.resource}</th>
                        <th scope="col">{texts.outcome}</th>
                        <th scope="col">{texts.ip}</th>
                        <th scope="col">{texts.description}</th>
                    </tr>
                </thead>
                <tbody>
                    {events.into_iter().map(|event| view! { <ViewerRow event place=place.clone()/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn ViewerRow(event: Event, place: Place) -> impl IntoView {
    let href = place.href(&format!("/embed/events/{}", event.id), None);
    let outcome = event.outcome.as_str();
    let when = event.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string();
    view! {
        <tr class=format!("event-row severity-{}", event.severity.as_str()) data-id=event.id.clone()>
            <td class="time"><a href=href.clone()><time datetime=event.occurred_at.to_rfc3339()>{when}</time></a></td>
            <td class="actor"><span class="actor-name">{event.actor.label().to_string()}</span></td>
            <td class="action"><code>{event.action.clone()}</code></td>
            <td class="resource">{event.resource.as_ref().map(|r| r.label())}</td>
            <td class="outcome"><span class=format!("badge outcome-{outcome}")>{outcome}</span></td>
            <td class="ip">{event.ip.clone()}</td>
            <td class="description"><a href=href>{event.description.clone()}</a></td>
        </tr>
    }
}
