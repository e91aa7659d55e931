//! Events flattened for export. Each row travels from the database as one
//! JSON array (`json_array` / `json_build_array`) rather than 27 columns:
//! the SQLite driver copies every column value separately, which made wide
//! reads several times slower than the database itself.

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
pub const SQLITE_PACKED: &str = "json_array(e.id, t.slug, e.seq, e.occurred_at, e.received_at, \
     e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, e.event_type, \
     e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, e.targets_json, e.ip, \
     e.user_agent, e.request_id, e.description, e.before_json, e.after_json, e.metadata_json, \
     e.prev_hash, e.hash)";

/// The packed select for PostgreSQL: JSONB columns as text, so both
/// backends hand over the same shape.
pub const POSTGRES_PACKED: &str = "json_build_array(e.id, t.slug, e.seq, e.occurred_at, \
     e.received_at, e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, \
     e.event_type, e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, \
     e.targets_json::text, e.ip, e.user_agent, e.request_id, e.description, e.before_json::text, \
     e.after_json::text, e.metadata_json::text, e.prev_hash, e.hash)::text";

impl ExportRow {
    pub fn parse(packed: &str) -> Result<ExportRow, super::DbError> {
        serde_json::from_str(packed).map_err(|e| super::DbError::Corrupt(e.to_string()))
    }

    /// The keyset cursor just past this row.
    pub fn cursor(&self) -> crate::model::Cursor {
        crate::model::Cursor {
            occurred_us: self.occurred_us,
            id: self.id.clone(),
        }
    }
}
