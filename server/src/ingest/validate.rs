//! The wire format of one event, and its validation into a storable `NewEvent`.

use super::Redactor;
use app::model::time_window;
use app::{
    model::{Actor, ActorType, Outcome, Resource, Severity},
    store::NewEvent,
};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;
use std::net::IpAddr;

/// One event as senders write it. Unknown fields are refused so that a typo
/// (`acter`) is an error, not silently lost data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingEvent {
    pub action: String,
    pub actor: IncomingActor,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub resource: Option<Resource>,
    #[serde(default)]
    pub targets: Vec<Resource>,
    #[serde(default)]
    pub ip: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub before: Option<Value>,
    #[serde(default)]
    pub after: Option<Value>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncomingActor {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

const MAX_SHORT: usize = 256;
const MAX_TEXT: usize = 4_096;
const MAX_JSON: usize = 64 * 1024;
/// Sender clocks drift; an event further in the future than this is a bug.
const MAX_FUTURE_SKEW_MINUTES: i64 = 60;
/// Resources an event may name besides its own.
const MAX_TARGETS: usize = 100;

/// What an event is checked against besides its own shape.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Blanks secret values before anything else reads them.
    pub redactor: Redactor,
    /// No event may claim to have happened before this (`limits.earliest_event`).
    pub earliest: DateTime<Utc>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            redactor: Redactor::default(),
            earliest: crate::config::default_earliest_event(),
        }
    }
}

fn check_len(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("{field} is longer than {max} characters"));
    }
    Ok(())
}

fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, String> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if let Some(v) = &value {
        check_len(field, v, max)?;
    }
    Ok(value)
}

fn json_size(field: &str, value: &Option<Value>) -> Result<(), String> {
    if let Some(v) = value {
        if v.to_string().len() > MAX_JSON {
            return Err(format!("{field} is larger than {} KiB", MAX_JSON / 1024));
        }
    }
    Ok(())
}

/// An item's error as answered and kept in its idempotency receipt: every
/// quoted value from the request (`action 'x' …`, serde's `string "x"`)
/// becomes `'…'`, so neither the answer nor the stored receipt repeats what
/// the sender wrote (a secret in the wrong field stays in the request).
/// Field names, which serde quotes with backticks, are kept.
pub(super) fn without_values(error: &str) -> String {
    let mut out = String::with_capacity(error.len());
    let mut open: Option<char> = None;
    for c in error.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push('…');
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None if c == '\'' || c == '"' => {
                out.push(c);
                open = Some(c);
            }
            None => out.push(c),
        }
    }
    if open.is_some() {
        out.push('…');
    }
    out
}

/// Splits `license.key.created` or `org.member:invited` into its first and last segment.
fn segments(action: &str) -> (&str, &str) {
    let mut parts = action.split(['.', ':']).filter(|s| !s.is_empty());
    let first = parts.next().unwrap_or(action);
    let last = parts.next_back().unwrap_or(first);
    (first, last)
}

/// Checks one event and fills in what a sender may leave out. The error is a
/// sentence naming the field, returned to the sender for that index.
pub fn validate(
    mut incoming: IncomingEvent,
    tenant_slug: &str,
    id: String,
    now: DateTime<Utc>,
    rules: &Rules,
) -> Result<NewEvent, String> {
    // Before anything else reads the values: secrets must not even reach a log line.
    for value in [
        &mut incoming.before,
        &mut incoming.after,
        &mut incoming.metadata,
    ]
    .into_iter()
    .flatten()
    {
        rules.redactor.redact(value);
    }
    // Text fields keep their words; only what looks like a secret goes.
    let redactor = &rules.redactor;
    redactor.redact_field(&mut incoming.description);
    redactor.redact_field(&mut incoming.user_agent);
    for resource in incoming.resource.iter_mut().chain(&mut incoming.targets) {
        redactor.redact_field(&mut resource.name);
    }
    if let Some(named) = &incoming.tenant {
        if named != tenant_slug {
            return Err(format!(
                "the event names another tenant than the one this API key belongs to ({tenant_slug})"
            ));
        }
    }
    let action = incoming.action.trim().to_string();
    if action.is_empty() {
        return Err("action must not be empty".into());
    }
    check_len("action", &action, 128)?;
    if !action
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'))
    {
        return Err(format!(
            "action '{action}' may only hold letters, digits and . _ - :"
        ));
    }
    let actor_id = incoming.actor.id.trim().to_string();
    if actor_id.is_empty() {
        return Err("actor.id must not be empty".into());
    }
    check_len("actor.id", &actor_id, MAX_SHORT)?;
    let actor = Actor {
        id: actor_id,
        name: optional("actor.name", incoming.actor.name, MAX_SHORT)?,
        email: optional("actor.email", incoming.actor.email, MAX_SHORT)?,
        kind: match incoming.actor.kind {
            Some(kind) => kind
                .parse::<ActorType>()
                .map_err(|e| format!("actor.type: {e}"))?,
            None => ActorType::System,
        },
    };
    let occurred_at = incoming.occurred_at.unwrap_or(now);
    if occurred_at > now + Duration::minutes(MAX_FUTURE_SKEW_MINUTES) {
        return Err(format!(
            "occurred_at is more than {MAX_FUTURE_SKEW_MINUTES} minutes in the future"
        ));
    }
    // Before anything counts, charts or hashes it: a time from the year
    // -100000 would ask every "all time" view for millions of buckets.
    let earliest = time_window::clamp(rules.earliest);
    if occurred_at < earliest {
        return Err(format!(
            "occurred_at is before {}, the earliest this server accepts",
            earliest.to_rfc3339()
        ));
    }
    let outcome = match incoming.outcome {
        Some(v) => v.parse::<Outcome>().map_err(|e| format!("outcome: {e}"))?,
        None => Outcome::Success,
    };
    let severity = match incoming.severity {
        Some(v) => v
            .parse::<Severity>()
            .map_err(|e| format!("severity: {e}"))?,
        None => Severity::Info,
    };
    let ip = optional("ip", incoming.ip, 64)?;
    if let Some(ip) = &ip {
        ip.parse::<IpAddr>()
            .map_err(|_| format!("ip '{ip}' is not an IPv4 or IPv6 address"))?;
    }
    if incoming.targets.len() > MAX_TARGETS {
        return Err(format!("targets holds more than {MAX_TARGETS} resources"));
    }
    for resource in incoming.resource.iter().chain(&incoming.targets) {
        if resource.kind.trim().is_empty() || resource.id.trim().is_empty() {
            return Err("a resource needs a non-empty type and id".into());
        }
        check_len("resource.type", &resource.kind, 64)?;
        check_len("resource.id", &resource.id, MAX_SHORT)?;
        if let Some(name) = &resource.name {
            check_len("resource.name", name, MAX_SHORT)?;
        }
    }
    json_size("before", &incoming.before)?;
    json_size("after", &incoming.after)?;
    json_size("metadata", &incoming.metadata)?;
    let (first, last) = segments(&action);
    let category =
        optional("category", incoming.category, 64)?.unwrap_or_else(|| first.to_string());
    let event_type =
        optional("event_type", incoming.event_type, 64)?.unwrap_or_else(|| last.to_string());
    let description = optional("description", incoming.description, MAX_TEXT)?
        .unwrap_or_else(|| format!("{} performed {action}", actor.label()));
    Ok(NewEvent {
        id,
        occurred_at,
        actor,
        action,
        category,
        event_type,
        outcome,
        severity,
        resource: incoming.resource,
        targets: incoming.targets,
        ip,
        user_agent: optional("user_agent", incoming.user_agent, MAX_TEXT)?,
        request_id: optional("request_id", incoming.request_id, MAX_SHORT)?,
        before: incoming.before,
        after: incoming.after,
        description,
        metadata: incoming.metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<NewEvent, String> {
        let incoming: IncomingEvent = serde_json::from_value(value).map_err(|e| e.to_string())?;
        validate(
            incoming,
            "acme",
            "01TEST".into(),
            Utc::now(),
            &Rules::default(),
        )
    }

    #[test]
    fn an_items_error_names_the_field_but_never_repeats_the_value_sent() {
        assert_eq!(
            without_values("ip 'sk_live_secret' is not an IPv4 or IPv6 address"),
            "ip '…' is not an IPv4 or IPv6 address"
        );
        assert_eq!(
            without_values("invalid type: string \"hunter2\", expected struct IncomingActor"),
            "invalid type: string \"…\", expected struct IncomingActor"
        );
        assert_eq!(
            without_values("unknown field `acter`, expected one of `action`"),
            "unknown field `acter`, expected one of `action`"
        );
        assert_eq!(without_values("cut 'off"), "cut '…");
    }

    #[test]
    fn a_minimal_event_gets_category_type_and_description_from_its_action() {
        let event = parse(json!({"action": "license.key.created", "actor": {"id": "u1"}})).unwrap();
        assert_eq!(event.category, "license");
        assert_eq!(event.event_type, "created");
        assert_eq!(event.outcome, Outcome::Success);
        assert_eq!(event.actor.kind, ActorType::System);
        assert_eq!(event.description, "u1 performed license.key.created");
    }

    #[test]
    fn colon_separated_codes_split_like_dotted_ones() {
        let event = parse(json!({"action": "org.member:invited", "actor": {"id": "u1"}})).unwrap();
        assert_eq!(
            (event.category.as_str(), event.event_type.as_str()),
            ("org", "invited")
        );
    }

    #[test]
    fn an_unknown_action_code_is_stored_as_it_is() {
        let event =
            parse(json!({"action": "custom.thing_happened", "actor": {"id": "u1"}})).unwrap();
        assert_eq!(event.action, "custom.thing_happened");
    }

    #[test]
    fn a_misspelt_field_is_refused_by_name() {
        let err = parse(json!({"action": "a.b", "acter": {"id": "u1"}})).unwrap_err();
        assert!(err.contains("acter"), "{err}");
    }

    #[test]
    fn an_invalid_ip_is_refused() {
        let err =
            parse(json!({"action": "a.b", "actor": {"id": "u1"}, "ip": "999.1.1.1"})).unwrap_err();
        assert!(err.contains("ip '999.1.1.1'"), "{err}");
    }

    #[test]
    fn an_outcome_outside_the_vocabulary_names_the_choices() {
        let err =
            parse(json!({"action": "a.b", "actor": {"id": "u1"}, "outcome": "ok"})).unwrap_err();
        assert!(err.contains("success, failure, denied"), "{err}");
    }

    #[test]
    fn an_event_for_another_tenant_is_refused() {
        let err =
            parse(json!({"action": "a.b", "actor": {"id": "u1"}, "tenant": "globex"})).unwrap_err();
        assert!(
            err.contains("another tenant than the one this API key belongs to (acme)"),
            "{err}"
        );
    }

    #[test]
    fn an_event_far_in_the_future_is_refused() {
        let future = (Utc::now() + Duration::days(2)).to_rfc3339();
        let err = parse(json!({"action": "a.b", "actor": {"id": "u1"}, "occurred_at": future}))
            .unwrap_err();
        assert!(err.contains("in the future"), "{err}");
    }

    #[test]
    fn secrets_in_before_after_and_metadata_are_redacted_before_storage() {
        let event = parse(json!({
            "action": "user.password.changed", "actor": {"id": "u1"},
            "before": {"password": "old-secret"}, "after": {"password": "new-secret"},
            "metadata": {"card_number": "4111111111111111", "ip_country": "DE"},
        }))
        .unwrap();
        assert_eq!(event.before, Some(json!({"password": "[redacted]"})));
        assert_eq!(event.after, Some(json!({"password": "[redacted]"})));
        assert_eq!(
            event.metadata,
            Some(json!({"card_number": "[redacted]", "ip_country": "DE"}))
        );
    }

    #[test]
    fn an_action_with_spaces_is_refused() {
        assert!(parse(json!({"action": "drop table", "actor": {"id": "u1"}})).is_err());
    }
}
