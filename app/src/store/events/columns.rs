//! The events row as both backends return it, and its conversion to `Event`.

use crate::model::{Actor, Cursor, Event, Resource};
use crate::store::error::DbError;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;
use std::sync::LazyLock;

/// How a stored column holds its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The owning tenant: read back as its slug (`t.slug`, the joined
    /// tenants row) and its number (`e.tenant_id`, which orders pages).
    Tenant,
    Int,
    Text,
    OptText,
    /// JSON: JSONB on PostgreSQL, TEXT on SQLite.
    Json,
    /// A SHA-256 digest: its 32 bytes (BYTEA, BLOB), where the hex text the
    /// model and the exports carry took 64; read back as lower-case hex.
    Hash,
    /// Optional text stored once in the named dictionary table (`id`,
    /// `text`): the event holds its number in `<column>_id`
    /// (`events::user_agents`).
    Interned(&'static str),
}

impl Kind {
    /// The column an insert writes for `name`.
    fn stored(self, name: &str) -> String {
        match self {
            Kind::Interned(_) => format!("{name}_id"),
            _ => name.to_string(),
        }
    }

    /// The text an interned column reads back as.
    fn lookup(self, name: &str) -> Option<String> {
        match self {
            Kind::Interned(table) => Some(format!(
                "(SELECT d.text FROM {table} d WHERE d.id = e.{name}_id)"
            )),
            _ => None,
        }
    }
}

/// Every column of `events` an event is made of, in one order: the one
/// description the select list, the insert, the packed export row and the
/// export column page are built from (the search vector and rowid aside).
/// `EventRow` decodes by name; `ExportRow` and `insert_values` follow this
/// order, which tests check.
pub(crate) const COLUMNS: [(&str, Kind); 27] = [
    ("id", Kind::Text),
    ("tenant_id", Kind::Tenant),
    ("seq", Kind::Int),
    ("occurred_at", Kind::Int),
    ("received_at", Kind::Int),
    ("actor_id", Kind::Text),
    ("actor_name", Kind::OptText),
    ("actor_email", Kind::OptText),
    ("actor_type", Kind::Text),
    ("action", Kind::Text),
    ("category", Kind::Text),
    ("event_type", Kind::Text),
    ("outcome", Kind::Text),
    ("severity", Kind::Text),
    ("resource_type", Kind::OptText),
    ("resource_id", Kind::OptText),
    ("resource_name", Kind::OptText),
    ("targets_json", Kind::Json),
    ("ip", Kind::OptText),
    ("user_agent", Kind::Interned("user_agents")),
    ("request_id", Kind::OptText),
    ("description", Kind::Text),
    ("before_json", Kind::Json),
    ("after_json", Kind::Json),
    ("metadata_json", Kind::Json),
    ("prev_hash", Kind::Hash),
    ("hash", Kind::Hash),
];

/// `expr` for each column, comma-joined, built once.
fn list(cell: impl Fn(&str, Kind) -> String) -> String {
    COLUMNS
        .iter()
        .map(|&(name, kind)| cell(name, kind))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The select list of every events read, named as `EventRow`'s fields.
pub(crate) fn event_columns() -> &'static str {
    static LIST: LazyLock<String> = LazyLock::new(|| {
        list(|name, kind| match kind {
            Kind::Tenant => "t.slug AS tenant, e.tenant_id".into(),
            _ => match kind.lookup(name) {
                Some(text) => format!("{text} AS {name}"),
                None => format!("e.{name}"),
            },
        })
    });
    &LIST
}

/// The insert's column list.
pub(crate) fn insert_columns() -> &'static str {
    static LIST: LazyLock<String> = LazyLock::new(|| list(|name, kind| kind.stored(name)));
    &LIST
}

/// One row as a JSON array in `COLUMNS` order, JSONB as its text (PostgreSQL).
pub(crate) fn packed_row() -> &'static str {
    static ROW: LazyLock<String> = LazyLock::new(|| {
        let cells = list(|name, kind| match kind {
            Kind::Tenant => "t.slug, e.tenant_id".into(),
            Kind::Json => format!("e.{name}::text"),
            Kind::Hash => format!("encode(e.{name}, 'hex')"),
            _ => kind.lookup(name).unwrap_or_else(|| format!("e.{name}")),
        });
        format!("json_build_array({cells})::text")
    });
    &ROW
}

/// The export column page's select list: the text columns in `COLUMNS`
/// order (JSON is TEXT in SQLite), then the integers: the tenant's number
/// first, then the `Int` columns in order.
pub(crate) fn column_page_select() -> &'static str {
    static LIST: LazyLock<String> = LazyLock::new(|| {
        let cell = |&(name, kind): &(&str, Kind)| match kind {
            Kind::Tenant => "t.slug".to_string(),
            Kind::Hash => format!("lower(hex(e.{name}))"),
            _ => kind.lookup(name).unwrap_or_else(|| format!("e.{name}")),
        };
        let texts = COLUMNS.iter().filter(|(_, k)| *k != Kind::Int).map(cell);
        let ints = COLUMNS.iter().filter(|(_, k)| *k == Kind::Int).map(cell);
        let tenant = std::iter::once("e.tenant_id".to_string());
        texts
            .chain(tenant)
            .chain(ints)
            .collect::<Vec<_>>()
            .join(", ")
    });
    &LIST
}

/// How many text columns a column page holds per row.
pub(crate) const TEXT_COLUMNS: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < COLUMNS.len() {
        if !matches!(COLUMNS[i].1, Kind::Int) {
            n += 1;
        }
        i += 1;
    }
    n
};

/// How many integers a column page holds per row: the tenant's number and
/// the `Int` columns.
pub(crate) const INT_COLUMNS: usize = COLUMNS.len() - TEXT_COLUMNS + 1;

/// Times are microseconds since the Unix epoch in both backends, so keyset
/// comparisons are integer comparisons and the SQL is the same for both.
#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    id: String,
    tenant: String,
    tenant_id: i64,
    seq: i64,
    occurred_at: i64,
    received_at: i64,
    actor_id: String,
    actor_name: Option<String>,
    actor_email: Option<String>,
    actor_type: String,
    action: String,
    category: String,
    event_type: String,
    outcome: String,
    severity: String,
    resource_type: Option<String>,
    resource_id: Option<String>,
    resource_name: Option<String>,
    targets_json: Option<Json<Vec<Resource>>>,
    ip: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    before_json: Option<Json<Value>>,
    after_json: Option<Json<Value>>,
    description: String,
    metadata_json: Option<Json<Value>>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

pub(crate) fn micros_to_time(us: i64) -> Result<DateTime<Utc>, DbError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| DbError::Corrupt(format!("time {us} out of range")))
}

fn corrupt(e: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(e.to_string())
}

impl EventRow {
    /// The row's place in page order.
    pub(crate) fn key(&self) -> Cursor {
        Cursor {
            occurred_us: self.occurred_at,
            tenant_id: self.tenant_id,
            seq: self.seq,
        }
    }
}

impl TryFrom<EventRow> for Event {
    type Error = DbError;

    fn try_from(row: EventRow) -> Result<Self, DbError> {
        let resource = match (row.resource_type, row.resource_id) {
            (Some(kind), Some(id)) => Some(Resource {
                kind,
                id,
                name: row.resource_name,
            }),
            _ => None,
        };
        Ok(Event {
            id: row.id,
            tenant: row.tenant,
            tenant_id: row.tenant_id,
            seq: row.seq,
            occurred_at: micros_to_time(row.occurred_at)?,
            received_at: micros_to_time(row.received_at)?,
            actor: Actor {
                id: row.actor_id,
                name: row.actor_name,
                email: row.actor_email,
                kind: row.actor_type.parse().map_err(corrupt)?,
            },
            action: row.action,
            category: row.category,
            event_type: row.event_type,
            outcome: row.outcome.parse().map_err(corrupt)?,
            severity: row.severity.parse().map_err(corrupt)?,
            resource,
            targets: row.targets_json.map(|j| j.0).unwrap_or_default(),
            ip: row.ip,
            user_agent: row.user_agent,
            request_id: row.request_id,
            before: row.before_json.map(|j| j.0),
            after: row.after_json.map(|j| j.0),
            description: row.description,
            metadata: row.metadata_json.map(|j| j.0),
            prev_hash: hex::encode(row.prev_hash),
            hash: hex::encode(row.hash),
            tags: Vec::new(),
            comments: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::{export_columns::ColumnPage, export_row::ExportRow};

    /// Each text cell holds its own column's name, each integer its position.
    fn named_cells(row: &ExportRow<'_>) -> Vec<(String, String)> {
        let opt = |v: &Option<std::borrow::Cow<'_, str>>| v.as_deref().unwrap_or("").to_string();
        vec![
            ("id".into(), row.id.to_string()),
            ("tenant_id".into(), row.tenant.to_string()),
            ("tenant number".into(), row.tenant_id.to_string()),
            ("seq".into(), row.seq.to_string()),
            ("occurred_at".into(), row.occurred_us.to_string()),
            ("received_at".into(), row.received_us.to_string()),
            ("actor_id".into(), row.actor_id.to_string()),
            ("actor_name".into(), opt(&row.actor_name)),
            ("actor_email".into(), opt(&row.actor_email)),
            ("actor_type".into(), row.actor_type.to_string()),
            ("action".into(), row.action.to_string()),
            ("category".into(), row.category.to_string()),
            ("event_type".into(), row.event_type.to_string()),
            ("outcome".into(), row.outcome.to_string()),
            ("severity".into(), row.severity.to_string()),
            ("resource_type".into(), opt(&row.resource_type)),
            ("resource_id".into(), opt(&row.resource_id)),
            ("resource_name".into(), opt(&row.resource_name)),
            ("targets_json".into(), opt(&row.targets)),
            ("ip".into(), opt(&row.ip)),
            ("user_agent".into(), opt(&row.user_agent)),
            ("request_id".into(), opt(&row.request_id)),
            ("description".into(), row.description.to_string()),
            ("before_json".into(), opt(&row.before)),
            ("after_json".into(), opt(&row.after)),
            ("metadata_json".into(), opt(&row.metadata)),
            ("prev_hash".into(), row.prev_hash.to_string()),
            ("hash".into(), row.hash.to_string()),
        ]
    }

    /// The tenant's number in these tests.
    const TENANT: i64 = 77;

    /// What each column holds in these tests: its name, or for integers its
    /// position (and after the tenant's slug, its number).
    fn expected() -> Vec<(String, String)> {
        let mut cells = Vec::new();
        for (i, &(name, kind)) in COLUMNS.iter().enumerate() {
            let value = if kind == Kind::Int {
                i.to_string()
            } else {
                name.to_string()
            };
            cells.push((name.to_string(), value));
            if kind == Kind::Tenant {
                cells.push(("tenant number".into(), TENANT.to_string()));
            }
        }
        cells
    }

    #[test]
    fn a_packed_export_row_is_read_in_the_order_of_the_column_list() {
        let cells: Vec<serde_json::Value> = COLUMNS
            .iter()
            .enumerate()
            .flat_map(|(i, &(name, kind))| match kind {
                Kind::Int => vec![serde_json::json!(i)],
                Kind::Tenant => vec![serde_json::json!(name), serde_json::json!(TENANT)],
                _ => vec![serde_json::json!(name)],
            })
            .collect();
        let text = serde_json::to_string(&cells).unwrap();
        let row: ExportRow<'_> = serde_json::from_str(&text).unwrap();
        assert_eq!(named_cells(&row), expected());
    }

    #[test]
    fn a_column_page_row_is_read_in_the_order_of_the_column_list() {
        let texts: Vec<&str> = COLUMNS
            .iter()
            .filter(|(_, kind)| *kind != Kind::Int)
            .map(|(name, _)| *name)
            .collect();
        let ints: Vec<i64> = std::iter::once(TENANT)
            .chain(
                COLUMNS
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, kind))| *kind == Kind::Int)
                    .map(|(i, _)| i as i64),
            )
            .collect();
        let mut page = ColumnPage::with_capacity(1);
        page.push_row(|i| Some(texts[i].as_bytes()), ints.try_into().unwrap())
            .unwrap();
        assert_eq!(named_cells(&page.row(0).unwrap()), expected());
    }

    #[test]
    fn every_list_names_each_column_once_in_the_same_order() {
        assert_eq!(insert_columns().split(", ").count(), COLUMNS.len());
        assert!(event_columns().contains("t.slug AS tenant, e.tenant_id"));
        // The tenant is read twice: its slug and its number.
        assert_eq!(event_columns().split(", ").count(), COLUMNS.len() + 1);
        assert_eq!(column_page_select().split(", ").count(), COLUMNS.len() + 1);
        assert!(packed_row().contains("e.before_json::text"));
        assert!(packed_row().contains("encode(e.hash, 'hex')"));
        assert!(column_page_select().contains("lower(hex(e.prev_hash))"));
        assert!(insert_columns().contains("user_agent_id"));
        assert!(event_columns().contains(
            "(SELECT d.text FROM user_agents d WHERE d.id = e.user_agent_id) AS user_agent"
        ));
        assert_eq!(TEXT_COLUMNS + INT_COLUMNS, COLUMNS.len() + 1);
    }
}
