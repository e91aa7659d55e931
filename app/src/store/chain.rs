//! The per-tenant hash chain: each event's hash covers its fields and the previous hash.

use super::records::NewEvent;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `prev_hash` of a tenant's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// JSON with object keys sorted at every depth and no insignificant white
/// space, so the same event always hashes the same, whatever map order serde uses.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The event's hash: SHA-256 (hex) over the previous hash and the event's
/// digest. Chaining digests rather than whole bodies lets an export prove a
/// filtered selection: the events left out travel as their digests alone.
pub fn event_hash(
    prev_hash: &str,
    tenant_id: i64,
    seq: i64,
    received_us: i64,
    ev: &NewEvent,
) -> String {
    link_hash(prev_hash, &event_digest(tenant_id, seq, received_us, ev))
}

/// `SHA-256(prev_hash "\n" digest)`, both in hex: one link of the chain.
pub fn link_hash(prev_hash: &str, digest: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(digest.as_bytes());
    hex::encode(hasher.finalize())
}

/// SHA-256 (hex) of the canonical encoding of every stored field of the
/// event, including its place in the chain.
pub fn event_digest(tenant_id: i64, seq: i64, received_us: i64, ev: &NewEvent) -> String {
    let body = json!({
        "tenant_id": tenant_id,
        "seq": seq,
        "id": ev.id,
        "occurred_us": ev.occurred_at.timestamp_micros(),
        "received_us": received_us,
        "actor": ev.actor,
        "action": ev.action,
        "category": ev.category,
        "event_type": ev.event_type,
        "outcome": ev.outcome,
        "severity": ev.severity,
        "resource": ev.resource,
        "targets": ev.targets,
        "ip": ev.ip,
        "user_agent": ev.user_agent,
        "request_id": ev.request_id,
        "before": ev.before,
        "after": ev.after,
        "description": ev.description,
        "metadata": ev.metadata,
    });
    hex::encode(Sha256::digest(canonical_json(&body).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, ActorType, Outcome, Severity};
    use chrono::{TimeZone, Utc};

    fn event() -> NewEvent {
        NewEvent {
            id: "01J000000000000000000000AA".into(),
            occurred_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            actor: Actor {
                id: "u1".into(),
                name: None,
                email: None,
                kind: ActorType::Staff,
            },
            action: "license.created".into(),
            category: "license".into(),
            event_type: "created".into(),
            outcome: Outcome::Success,
            severity: Severity::Info,
            resource: None,
            targets: vec![],
            ip: None,
            user_agent: None,
            request_id: None,
            before: None,
            after: Some(json!({"b": 1, "a": {"z": true, "y": [2, 1]}})),
            description: "Created".into(),
            metadata: None,
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = json!({"b": 1, "a": {"z": true, "y": [2, {"d": 0, "c": null}]}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"y":[2,{"c":null,"d":0}],"z":true},"b":1}"#
        );
    }

    #[test]
    fn the_hash_changes_when_any_field_or_the_previous_hash_changes() {
        let base = event_hash(GENESIS_HASH, 1, 1, 10, &event());
        assert_eq!(base.len(), 64);
        assert_eq!(base, event_hash(GENESIS_HASH, 1, 1, 10, &event()));

        let mut changed = event();
        changed.description = "Created!".into();
        assert_ne!(base, event_hash(GENESIS_HASH, 1, 1, 10, &changed));
        assert_ne!(base, event_hash(&base, 1, 1, 10, &event()));
        assert_ne!(base, event_hash(GENESIS_HASH, 1, 2, 10, &event()));
    }
}
