//! What goes into the store: validated events, API keys and ingest receipts.

use crate::model::{Actor, Outcome, Resource, Severity};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// An event that passed validation and redaction, ready to append.
/// Sequence number, hashes and `received_at` are assigned inside the append
/// transaction, so concurrent writers can never fork a tenant's chain.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    pub action: String,
    pub category: String,
    pub event_type: String,
    pub outcome: Outcome,
    pub severity: Severity,
    pub resource: Option<Resource>,
    pub targets: Vec<Resource>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub description: String,
    pub metadata: Option<Value>,
}

/// An API key as stored: never the secret, only its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKeyRecord {
    pub id: i64,
    pub tenant_id: i64,
    pub prefix: String,
    pub secret_hash: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// `ingest`, `read` or both (see `KeyScopes`).
    pub scopes: String,
}

impl ApiKeyRecord {
    /// Whether the key may do `scope`; an unreadable scope list allows nothing.
    pub fn allows(&self, scope: crate::model::KeyScope) -> bool {
        self.scopes
            .parse::<crate::model::KeyScopes>()
            .is_ok_and(|scopes| scopes.allows(scope))
    }
}

#[derive(Clone, Debug)]
pub struct NewApiKey {
    pub tenant_id: i64,
    pub prefix: String,
    pub secret_hash: String,
    pub name: String,
    pub scopes: crate::model::KeyScopes,
    /// The dashboard account that created it (none for operator commands).
    pub created_by: Option<i64>,
}

/// How long a receipt answers for its `Idempotency-Key` (7 days): retries
/// come within minutes; older receipts are deleted.
pub const RECEIPT_LIFETIME_US: i64 = 7 * 24 * 3600 * 1_000_000;

/// The answer to an ingest request, kept under its `Idempotency-Key` so a
/// retried request gets the same answer and stores nothing twice.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub key: String,
    /// SHA-256 of the request body: the same key with another body is refused.
    pub request_hash: String,
    pub response: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The events (and the receipt, if any) are durably committed.
    Committed,
    /// The key was seen with the same body; here is the first answer.
    Replayed(String),
    /// The key was seen with a different body; nothing was stored.
    KeyReused,
}
