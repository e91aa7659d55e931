//! One event as a row of cells: the columns every export carries, and the
//! neutralising of text a spreadsheet would otherwise run as a formula.

use crate::store::ExportRow;
use chrono::{DateTime, SecondsFormat, Utc};
use std::borrow::Cow;

/// Column headings, in order: every field of the event.
pub const COLUMNS: [&str; 27] = [
    "id",
    "tenant",
    "seq",
    "occurred_at",
    "received_at",
    "actor_id",
    "actor_name",
    "actor_email",
    "actor_type",
    "action",
    "category",
    "event_type",
    "outcome",
    "severity",
    "resource_type",
    "resource_id",
    "resource_name",
    "targets",
    "ip",
    "user_agent",
    "request_id",
    "description",
    "before",
    "after",
    "metadata",
    "prev_hash",
    "hash",
];

pub(super) enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    Number(i64),
    Empty,
}

/// UTC, ISO 8601, with an explicit `+00:00` offset and microseconds.
pub(super) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

fn iso_us(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros).map_or_else(String::new, iso)
}

fn opt<'a>(s: &'a Option<Cow<'_, str>>) -> Cell<'a> {
    s.as_deref().map_or(Cell::Empty, Cell::Text)
}

pub(super) fn cells<'a>(r: &'a ExportRow<'_>) -> [Cell<'a>; 27] {
    [
        Cell::Text(&r.id),
        Cell::Text(&r.tenant),
        Cell::Number(r.seq),
        Cell::Owned(iso_us(r.occurred_us)),
        Cell::Owned(iso_us(r.received_us)),
        Cell::Text(&r.actor_id),
        opt(&r.actor_name),
        opt(&r.actor_email),
        Cell::Text(&r.actor_type),
        Cell::Text(&r.action),
        Cell::Text(&r.category),
        Cell::Text(&r.event_type),
        Cell::Text(&r.outcome),
        Cell::Text(&r.severity),
        opt(&r.resource_type),
        opt(&r.resource_id),
        opt(&r.resource_name),
        opt(&r.targets),
        opt(&r.ip),
        opt(&r.user_agent),
        opt(&r.request_id),
        Cell::Text(&r.description),
        opt(&r.before),
        opt(&r.after),
        opt(&r.metadata),
        Cell::Text(&r.prev_hash),
        Cell::Text(&r.hash),
    ]
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab or
/// carriage return first, also after leading spaces, which spreadsheets
/// skip) gets a leading apostrophe, so it shows as text. Anything else,
/// `alice@shop.io` included, is left exactly as it was.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    let starts_formula = matches!(text.chars().next(), Some('\t' | '\r'))
        || matches!(
            text.trim_start().chars().next(),
            Some('=' | '+' | '-' | '@')
        );
    if starts_formula {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Appends one event as a JSON object: actor and resource as objects;
/// before, after, metadata and targets as the JSON they were stored as;
/// times with an explicit offset.
pub(super) fn write_json(out: &mut Vec<u8>, r: &ExportRow) {
    let mut o = JsonObject::new(out);
    o.string("id", &r.id);
    o.string("tenant", &r.tenant);
    o.raw("seq", &r.seq.to_string());
    o.string("occurred_at", &iso_us(r.occurred_us));
    o.string("received_at", &iso_us(r.received_us));
    o.raw_start("actor");
    {
        let mut a = JsonObject::new(o.out);
        a.string("id", &r.actor_id);
        a.optional("name", &r.actor_name);
        a.optional("email", &r.actor_email);
        a.string("type", &r.actor_type);
        a.close();
    }
    for (key, value) in [
        ("action", &r.action),
        ("category", &r.category),
        ("event_type", &r.event_type),
        ("outcome", &r.outcome),
        ("severity", &r.severity),
    ] {
        o.string(key, value);
    }
    match (&r.resource_type, &r.resource_id) {
        (Some(kind), Some(id)) => {
            o.raw_start("resource");
            let mut res = JsonObject::new(o.out);
            res.string("type", kind);
            res.string("id", id);
            res.optional("name", &r.resource_name);
            res.close();
        }
        _ => o.raw("resource", "null"),
    }
    o.raw("targets", r.targets.as_deref().unwrap_or("[]"));
    o.optional("ip", &r.ip);
    o.optional("user_agent", &r.user_agent);
    o.optional("request_id", &r.request_id);
    o.string("description", &r.description);
    // Stored by Logbook as JSON text: copied as it is, not parsed again.
    o.raw("before", r.before.as_deref().unwrap_or("null"));
    o.raw("after", r.after.as_deref().unwrap_or("null"));
    o.raw("metadata", r.metadata.as_deref().unwrap_or("null"));
    o.string("prev_hash", &r.prev_hash);
    o.string("hash", &r.hash);
    o.close();
}

/// A JSON object written field by field.
struct JsonObject<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> JsonObject<'o> {
    fn new(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        JsonObject { out, first: true }
    }

    fn raw_start(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        let _ = serde_json::to_writer(&mut *self.out, key);
        self.out.push(b':');
    }

    fn raw(&mut self, key: &str, json: &str) {
        self.raw_start(key);
        self.out.extend_from_slice(json.as_bytes());
    }

    fn string(&mut self, key: &str, value: &str) {
        self.raw_start(key);
        let _ = serde_json::to_writer(&mut *self.out, value);
    }

    fn optional(&mut self, key: &str, value: &Option<Cow<'_, str>>) {
        match value {
            Some(v) => self.string(key, v),
            None => self.raw(key, "null"),
        }
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starters_are_neutralised() {
        for dangerous in [
            "=1+1",
            "+SUM(A1)",
            "-2+3",
            "@cmd",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
            " =1+1",
            "   @SUM(A1)",
            "\n=cmd|' /C calc'!A0",
            "\u{a0}-2+3",
        ] {
            assert_eq!(
                neutralize(dangerous),
                format!("'{dangerous}"),
                "{dangerous:?}"
            );
        }
    }

    #[test]
    fn ordinary_values_stay_exactly_as_they_were() {
        for safe in [
            "alice@shop.io",
            "Reset HWID",
            "12.50",
            "",
            "a=b",
            "{\"amount\":-5}",
            "'quoted",
        ] {
            assert_eq!(neutralize(safe), safe);
        }
    }

    #[test]
    fn times_carry_an_explicit_utc_offset() {
        let t = chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(iso(t), "2023-11-14T22:13:20.123456+00:00");
    }
}
