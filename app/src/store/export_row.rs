//! Events flattened for export. Each row is packed by the database into one
//! JSON array (`json_array` / `json_build_array`) rather than 27 columns, and
//! a page of rows into one text value: the SQLite driver copies every column
//! value separately and hands every row across threads, which made wide reads
//! several times slower than the database itself.

use serde::Deserialize;

/// One event as stored: times in microseconds, JSON columns as their text.
#[derive(Clone, Debug, Deserialize)]
pub struct ExportRow {
    pub id: String,
    pub tenant: String,
    pub seq: i64,
    pub occurred_us: i64,
    pub received_us: i64,
    pub actor_id: String,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub actor_type: String,
    pub action: String,
    pub category: String,
    pub event_type: String,
    pub outcome: String,
    pub severity: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub targets: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub description: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub metadata: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The packed select for SQLite (JSON columns are TEXT there already).
const SQLITE_PACKED: &str = "json_array(e.id, t.slug, e.seq, e.occurred_at, e.received_at, \
     e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, e.event_type, \
     e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, e.targets_json, e.ip, \
     e.user_agent, e.request_id, e.description, e.before_json, e.after_json, e.metadata_json, \
     e.prev_hash, e.hash)";

/// The packed select for PostgreSQL: JSONB columns as text, so both
/// backends hand over the same shape.
const POSTGRES_PACKED: &str = "json_build_array(e.id, t.slug, e.seq, e.occurred_at, \
     e.received_at, e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, \
     e.event_type, e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, \
     e.targets_json::text, e.ip, e.user_agent, e.request_id, e.description, e.before_json::text, \
     e.after_json::text, e.metadata_json::text, e.prev_hash, e.hash)::text";

/// How a backend packs a row, and joins packed rows into one page.
pub struct Packing {
    pub row: &'static str,
    /// An aggregate over the packed column `p`, comma-separated.
    pub join: &'static str,
}

pub const SQLITE_PACKING: Packing = Packing {
    row: SQLITE_PACKED,
    join: "group_concat(p, ',')",
};

pub const POSTGRES_PACKING: Packing = Packing {
    row: POSTGRES_PACKED,
    join: "string_agg(p, ',')",
};

impl ExportRow {
    /// A page packed by `select_packed_page`, newest first (the aggregate
    /// does not promise to keep the subquery's order, so it is restored here).
    pub fn parse_page(packed: &str) -> Result<Vec<ExportRow>, super::DbError> {
        let mut rows: Vec<ExportRow> =
            serde_json::from_str(packed).map_err(|e| super::DbError::Corrupt(e.to_string()))?;
        rows.sort_by(|a, b| (b.occurred_us, &b.id).cmp(&(a.occurred_us, &a.id)));
        Ok(rows)
    }

    /// The keyset cursor just past this row.
    pub fn cursor(&self) -> crate::model::Cursor {
        crate::model::Cursor {
            occurred_us: self.occurred_us,
            id: self.id.clone(),
        }
    }
}
