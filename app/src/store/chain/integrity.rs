//! Checkpoints, retention and per-tenant settings: the part of the store
//! behind the Integrity and Retention pages and the background jobs.

use crate::model::{Retention, TenantSettings};
use crate::store::{
    chain::checkpoint::{CheckpointRecord, NewCheckpoint},
    error::DbError,
    leases::Fence,
    scope::TenantScope,
};
use async_trait::async_trait;

#[async_trait]
pub trait IntegrityStore: Send + Sync {
    /// Stores a signed checkpoint of a tenant's head; with a `fence`, only
    /// while it still holds its job's lease (`store::leases`).
    async fn insert_checkpoint(
        &self,
        cp: &NewCheckpoint,
        fence: Option<&Fence>,
    ) -> Result<CheckpointRecord, DbError>;

    /// A tenant's checkpoints, newest first (`limit` of them, or all).
    async fn checkpoints(
        &self,
        tenant_id: i64,
        limit: Option<i64>,
    ) -> Result<Vec<CheckpointRecord>, DbError>;

    /// Settings of the tenants visible in the scope, by slug.
    async fn tenant_settings(&self, scope: &TenantScope) -> Result<Vec<TenantSettings>, DbError>;

    async fn update_tenant_settings(
        &self,
        tenant_id: i64,
        retention: Retention,
        legal_hold: bool,
        redaction_words: &[String],
    ) -> Result<(), DbError>;

    /// The retention cut `(seq, hash)`: the chain resumes after it.
    async fn retention_cut(&self, tenant_id: i64) -> Result<(i64, String), DbError>;

    /// The stored hash of one event of the chain, if it is still there.
    async fn hash_at(&self, tenant_id: i64, seq: i64) -> Result<Option<String>, DbError>;

    /// The last event received before `cutoff_us` that has not been cut yet:
    /// the end of what retention may delete. Events are received in `seq`
    /// order, so everything before it is older too.
    async fn last_expired_seq(
        &self,
        tenant_id: i64,
        cutoff_us: i64,
    ) -> Result<Option<i64>, DbError>;

    /// Moves the cut forward to a signed retention checkpoint, storing both
    /// in one transaction; only then may `purge_batch` delete up to it.
    /// With a `fence`, only while it still holds its job's lease.
    async fn record_cut(
        &self,
        cp: &NewCheckpoint,
        fence: Option<&Fence>,
    ) -> Result<CheckpointRecord, DbError>;

    /// Deletes up to `limit` events at or below the tenant's cut through
    /// the retention job's narrow path. Returns how many were deleted.
    /// With a `fence`, only while it still holds its job's lease.
    async fn purge_batch(
        &self,
        tenant_id: i64,
        limit: i64,
        fence: Option<&Fence>,
    ) -> Result<u64, DbError>;
}

/// `tenants` columns behind `TenantSettings`.
pub(super) const SETTINGS_COLUMNS: &str = "id, slug, name, retention_days, \
     CASE WHEN keep_forever THEN 1 ELSE 0 END AS keep_forever, \
     CASE WHEN legal_hold THEN 1 ELSE 0 END AS legal_hold, redaction_words, cut_seq";

#[derive(sqlx::FromRow)]
pub(super) struct SettingsRow {
    id: i64,
    slug: String,
    name: String,
    retention_days: Option<i32>,
    keep_forever: i32,
    legal_hold: i32,
    redaction_words: String,
    cut_seq: i64,
}

impl SettingsRow {
    pub(super) fn into_settings(self) -> Result<TenantSettings, DbError> {
        let retention = match (self.keep_forever != 0, self.retention_days) {
            (true, _) => Retention::Forever,
            (false, Some(days)) => Retention::Days(days.max(1) as u32),
            (false, None) => Retention::Default,
        };
        let redaction_words = serde_json::from_str(&self.redaction_words)
            .map_err(|e| DbError::Corrupt(format!("redaction words of {}: {e}", self.slug)))?;
        Ok(TenantSettings {
            tenant: crate::model::Tenant {
                id: self.id,
                slug: self.slug,
                name: self.name,
            },
            retention,
            legal_hold: self.legal_hold != 0,
            redaction_words,
            cut_seq: self.cut_seq,
        })
    }
}

/// `checkpoints` joined to the tenant's slug.
pub(super) const CHECKPOINT_SELECT: &str = "SELECT c.id, c.tenant_id, t.slug, c.seq, c.hash, \
     c.signed_at, c.reason, c.public_key, c.signature FROM checkpoints c \
     JOIN tenants t ON t.id = c.tenant_id";

#[derive(sqlx::FromRow)]
pub(super) struct CheckpointRow {
    id: i64,
    tenant_id: i64,
    slug: String,
    seq: i64,
    hash: String,
    signed_at: i64,
    reason: String,
    public_key: String,
    signature: String,
}

impl From<CheckpointRow> for CheckpointRecord {
    fn from(r: CheckpointRow) -> Self {
        CheckpointRecord {
            id: r.id,
            checkpoint: NewCheckpoint {
                tenant_id: r.tenant_id,
                tenant: r.slug,
                seq: r.seq,
                hash: r.hash,
                signed_us: r.signed_at,
                reason: r.reason,
                public_key: r.public_key,
                signature: r.signature,
            },
        }
    }
}
