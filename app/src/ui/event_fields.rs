//! Every field of one event, as a definition list.

use super::{filter_href, history_href, LocalTime};
use crate::model::{Event, Field};
use leptos::prelude::*;

#[component]
pub fn EventFields(event: Event) -> impl IntoView {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_string());
    let json = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
    };
    let targets = event
        .targets
        .iter()
        .map(|t| t.label())
        .collect::<Vec<_>>()
        .join(", ");
    // One click narrows the log to this actor, action, IP or resource.
    let by_actor = filter_href(&event, Field::Actor, &event.actor.id);
    let by_action = filter_href(&event, Field::Action, &event.action);
    let by_ip = event
        .ip
        .as_ref()
        .map(|ip| filter_href(&event, Field::Ip, ip));
    let resource = event.resource.as_ref().map(|r| {
        (
            format!("{} · id {}", r.label(), r.id),
            history_href(&event.tenant, &r.kind, &r.id),
        )
    });
    view! {
        <dl class="fields">
            <dt>"Event id"</dt><dd><code>{event.id.clone()}</code></dd>
            <dt>"Tenant"</dt><dd>{event.tenant.clone()}" · #"{event.seq}</dd>
            <dt>"Occurred"</dt><dd><LocalTime at=event.occurred_at/></dd>
            <dt>"Received"</dt><dd><LocalTime at=event.received_at/></dd>
            <dt>"Actor"</dt>
            <dd>
                {event.actor.label().to_string()}
                " · "{text(&event.actor.email)}
                " · id "<code>{event.actor.id.clone()}</code>
                " · "<span class="badge actor-type">{event.actor.kind.as_str()}</span>
                " "<a class="narrow" href=by_actor>"All by this actor"</a>
            </dd>
            <dt>"Action"</dt>
            <dd><code>{event.action.clone()}</code>" "<a class="narrow" href=by_action>"All of this action"</a></dd>
            <dt>"Category"</dt><dd>{event.category.clone()}</dd>
            <dt>"Event type"</dt><dd>{event.event_type.clone()}</dd>
            <dt>"Outcome"</dt><dd><span class=format!("badge outcome-{}", event.outcome)>{event.outcome.as_str()}</span></dd>
            <dt>"Severity"</dt><dd>{event.severity.as_str()}</dd>
            <dt>"Resource"</dt>
            <dd>{match resource {
                Some((label, href)) => view! { {label}" "<a class="narrow history" href=href>"History of this resource"</a> }.into_any(),
                None => "—".into_any(),
            }}</dd>
            <dt>"Targets"</dt><dd>{if targets.is_empty() { "—".to_string() } else { targets }}</dd>
            <dt>"IP address"</dt>
            <dd>{text(&event.ip)}{by_ip.map(|href| view! { " "<a class="narrow" href=href>"All from this IP"</a> })}</dd>
            <dt>"User agent"</dt><dd>{text(&event.user_agent)}</dd>
            <dt>"Request id"</dt><dd>{text(&event.request_id)}</dd>
            <dt>"Metadata"</dt>
            <dd>{match json(&event.metadata) {
                Some(j) => view! { <pre class="json">{j}</pre> }.into_any(),
                None => "—".into_any(),
            }}</dd>
            <dt>"Hash"</dt><dd><code class="hash">{event.hash.clone()}</code></dd>
            <dt>"Previous hash"</dt><dd><code class="hash">{event.prev_hash.clone()}</code></dd>
        </dl>
    }
}
