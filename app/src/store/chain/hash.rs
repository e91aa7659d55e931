//! The per-tenant hash chain: each event's hash covers its fields and the previous hash.

use crate::store::events::records::NewEvent;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of a tenant's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// JSON with object keys sorted at every depth and no insignificant white
/// space, so the same event always hashes the same, whatever map order serde uses.
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    // Only serde_json's own output and ASCII punctuation were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Writes straight into `out`: no intermediate strings per key or scalar,
/// since this runs for every event on the ingest path.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(out, key);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(out, scalar),
    }
}

/// serde_json's own encoding of a string, number, bool or null.
fn write_scalar<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing these into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The canonical encoding of one object whose keys are written in order.
struct Fields<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Fields<'o> {
    fn open(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Fields { out, first: true }
    }

    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        write_scalar(self.out, key);
        self.out.push(b':');
        self.out
    }

    fn scalar<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        write_scalar(self.key(key), value);
    }

    /// A struct field: converted to a value first so its keys get sorted too.
    fn structure<T: serde::Serialize>(&mut self, key: &str, value: &T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        write_canonical(&value, self.key(key));
    }

    fn json(&mut self, key: &str, value: Option<&Value>) {
        match value {
            Some(value) => write_canonical(value, self.key(key)),
            None => self.key(key).extend_from_slice(b"null"),
        }
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

/// The event's hash: SHA-256 (hex) over the previous hash and the event's
/// digest. Chaining digests rather than whole bodies lets an export prove a
/// filtered selection: the events left out travel as their digests alone.
pub(crate) fn event_hash(
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
    let mut out = Vec::with_capacity(1024);
    // Keys in sorted order: the same bytes `canonical_json` gives for the
    // object holding these fields, without building that object.
    let mut f = Fields::open(&mut out);
    f.scalar("action", &ev.action);
    f.structure("actor", &ev.actor);
    f.json("after", ev.after.as_ref());
    f.json("before", ev.before.as_ref());
    f.scalar("category", &ev.category);
    f.scalar("description", &ev.description);
    f.scalar("event_type", &ev.event_type);
    f.scalar("id", &ev.id);
    f.scalar("ip", &ev.ip);
    f.json("metadata", ev.metadata.as_ref());
    f.scalar("occurred_us", &ev.occurred_at.timestamp_micros());
    f.structure("outcome", &ev.outcome);
    f.scalar("received_us", &received_us);
    f.scalar("request_id", &ev.request_id);
    f.structure("resource", &ev.resource);
    f.scalar("seq", &seq);
    f.structure("severity", &ev.severity);
    f.structure("targets", &ev.targets);
    f.scalar("tenant_id", &tenant_id);
    f.scalar("user_agent", &ev.user_agent);
    f.close();
    hex::encode(Sha256::digest(&out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Actor, ActorType, Outcome, Severity};
    use chrono::{TimeZone, Utc};
    use serde_json::json;

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

    /// The digest as first defined: the whole body built as a value, then
    /// encoded canonically. The streaming encoder must give the same bytes.
    fn reference_digest(tenant_id: i64, seq: i64, received_us: i64, ev: &NewEvent) -> String {
        let body = json!({
            "tenant_id": tenant_id, "seq": seq, "id": ev.id,
            "occurred_us": ev.occurred_at.timestamp_micros(), "received_us": received_us,
            "actor": ev.actor, "action": ev.action, "category": ev.category,
            "event_type": ev.event_type, "outcome": ev.outcome, "severity": ev.severity,
            "resource": ev.resource, "targets": ev.targets, "ip": ev.ip,
            "user_agent": ev.user_agent, "request_id": ev.request_id, "before": ev.before,
            "after": ev.after, "description": ev.description, "metadata": ev.metadata,
        });
        hex::encode(Sha256::digest(canonical_json(&body).as_bytes()))
    }

    #[test]
    fn the_streamed_digest_equals_the_digest_of_the_canonical_body() {
        let mut full = event();
        full.actor.name = Some("Zoë \"Z\" Ångström\n".into());
        full.actor.email = Some("z@x.io".into());
        full.resource = Some(crate::model::Resource {
            kind: "license".into(),
            id: "K-1".into(),
            name: Some("Pro".into()),
        });
        full.targets = full.resource.iter().cloned().collect();
        full.ip = Some("2001:db8::1".into());
        full.request_id = Some("req-1".into());
        full.before =
            Some(json!({"balance": 31864.239999999998, "list": [{"b": null, "a": "\u{1F600}"}]}));
        full.metadata = Some(json!({"z": 1, "A": -0.5, "é": "tab\there"}));
        for ev in [event(), full] {
            assert_eq!(
                event_digest(7, 42, 1_700_000_000_000_001, &ev),
                reference_digest(7, 42, 1_700_000_000_000_001, &ev)
            );
        }
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
