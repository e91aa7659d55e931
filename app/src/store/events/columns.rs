//! The events row as both backends return it, and its conversion to `Event`.

use crate::model::{Actor, Event, Resource};
use crate::store::error::DbError;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::types::Json;

/// Column list for every events read; `t` is the joined tenants row.
pub const EVENT_COLUMNS: &str = "e.id, t.slug AS tenant, e.seq, e.occurred_at, e.received_at, \
     e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, e.event_type, \
     e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, e.targets_json, \
     e.ip, e.user_agent, e.request_id, e.before_json, e.after_json, e.description, \
     e.metadata_json, e.prev_hash, e.hash";

/// Times are microseconds since the Unix epoch in both backends, so keyset
/// comparisons are integer comparisons and the SQL is the same for both.
#[derive(Debug, sqlx::FromRow)]
pub struct EventRow {
    id: String,
    tenant: String,
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
    prev_hash: String,
    hash: String,
}

pub fn micros_to_time(us: i64) -> Result<DateTime<Utc>, DbError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| DbError::Corrupt(format!("time {us} out of range")))
}

fn corrupt(e: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(e.to_string())
}

impl EventRow {
    /// The page order's key: `(occurred_at, id)`.
    pub(crate) fn key(&self) -> (i64, &str) {
        (self.occurred_at, &self.id)
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
            prev_hash: row.prev_hash,
            hash: row.hash,
            tags: Vec::new(),
            comments: 0,
        })
    }
}
