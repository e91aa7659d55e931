//! Checkpoints, tenant settings and retention's cut and purge on either
//! backend; how the purge raises its guard is the backend's (`guard_retention`).

use crate::model::{Retention, TenantSettings};
use crate::store::{
    backend::{Backend, Tx},
    chain::{
        checkpoint::{CheckpointRecord, NewCheckpoint},
        integrity::{
            CheckpointRow, IntegrityStore, SettingsRow, CHECKPOINT_SELECT, SETTINGS_COLUMNS,
        },
    },
    error::DbError,
    leases::{hold, Fence},
    scope::TenantScope,
    sql::{Scalar, Sql},
    tallies::rollups::count_rollups,
};
use async_trait::async_trait;

#[async_trait]
impl<B: Backend> IntegrityStore for B {
    async fn insert_checkpoint(
        &self,
        cp: &NewCheckpoint,
        fence: Option<&Fence>,
    ) -> Result<CheckpointRecord, DbError> {
        let mut tx = self.begin_write().await?;
        hold::<B>(&mut tx, fence).await?;
        let id = insert_checkpoint_in::<B>(&mut tx, cp).await?;
        tx.commit().await?;
        Ok(CheckpointRecord {
            id,
            checkpoint: cp.clone(),
        })
    }

    async fn checkpoints(
        &self,
        tenant_id: i64,
        limit: Option<i64>,
    ) -> Result<Vec<CheckpointRecord>, DbError> {
        let rows: Vec<CheckpointRow> = Sql::new(format!(
            "{CHECKPOINT_SELECT} WHERE c.tenant_id = $1 \
                     ORDER BY c.seq DESC, c.id DESC LIMIT $2"
        ))
        .bind(tenant_id)
        .bind(limit.unwrap_or(i64::MAX))
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(CheckpointRecord::from).collect())
    }

    async fn tenant_settings(&self, scope: &TenantScope) -> Result<Vec<TenantSettings>, DbError> {
        let mut qb = Sql::new(format!(
            "SELECT {SETTINGS_COLUMNS} FROM tenants WHERE 1 = 1"
        ));
        scope.push_sql(&mut qb, "id");
        qb.push(" ORDER BY slug");
        let rows: Vec<SettingsRow> = qb.fetch_all(self.read()).await?;
        rows.into_iter().map(SettingsRow::into_settings).collect()
    }

    async fn update_tenant_settings(
        &self,
        tenant_id: i64,
        retention: Retention,
        legal_hold: bool,
        redaction_words: &[String],
    ) -> Result<(), DbError> {
        let (days, forever) = match retention {
            Retention::Default => (None, false),
            Retention::Days(d) => (Some(i32::try_from(d).unwrap_or(i32::MAX)), false),
            Retention::Forever => (None, true),
        };
        let words =
            serde_json::to_string(redaction_words).map_err(|e| DbError::Corrupt(e.to_string()))?;
        Sql::new(
            "UPDATE tenants SET retention_days = $1, keep_forever = $2, legal_hold = $3, \
                     redaction_words = $4 WHERE id = $5",
        )
        .bind(days)
        .bind(forever)
        .bind(legal_hold)
        .bind(words)
        .bind(tenant_id)
        .execute(self.write())
        .await?;
        Ok(())
    }

    async fn retention_cut(&self, tenant_id: i64) -> Result<(i64, String), DbError> {
        Sql::new("SELECT cut_seq, cut_hash FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(self.read())
            .await?
            .ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))
    }

    async fn hash_at(&self, tenant_id: i64, seq: i64) -> Result<Option<String>, DbError> {
        let mut tx = self.scoped_read(&TenantScope::tenant(tenant_id)).await?;
        let hash: Option<Vec<u8>> =
            Scalar::new("SELECT hash FROM events WHERE tenant_id = $1 AND seq = $2")
                .bind(tenant_id)
                .bind(seq)
                .fetch_optional(&mut tx)
                .await?;
        tx.commit().await?;
        Ok(hash.map(hex::encode))
    }

    async fn last_expired_seq(
        &self,
        tenant_id: i64,
        cutoff_us: i64,
    ) -> Result<Option<i64>, DbError> {
        let (cut_seq, _) = self.retention_cut(tenant_id).await?;
        let (head_seq, _) = crate::store::Store::chain_head(self, tenant_id).await?;
        let mut tx = self.scoped_read(&TenantScope::tenant(tenant_id)).await?;
        // Walks the (tenant, seq) key from the cut: it reads only the
        // rows about to be deleted, plus one.
        let first_kept: Option<i64> = Scalar::new(
            "SELECT seq FROM events WHERE tenant_id = $1 AND seq > $2 \
                     AND received_at >= $3 ORDER BY seq LIMIT 1",
        )
        .bind(tenant_id)
        .bind(cut_seq)
        .bind(cutoff_us)
        .fetch_optional(&mut tx)
        .await?;
        tx.commit().await?;
        let last = first_kept.map_or(head_seq, |seq| seq - 1);
        Ok((last > cut_seq).then_some(last))
    }

    #[tracing::instrument(skip(self, cp), fields(tenant = cp.tenant_id, seq = cp.seq))]
    async fn record_cut(
        &self,
        cp: &NewCheckpoint,
        fence: Option<&Fence>,
    ) -> Result<CheckpointRecord, DbError> {
        let mut tx = self.begin_write().await?;
        hold::<B>(&mut tx, fence).await?;
        let id = insert_checkpoint_in::<B>(&mut tx, cp).await?;
        Sql::new("UPDATE tenants SET cut_seq = $1, cut_hash = $2 WHERE id = $3 AND cut_seq < $1")
            .bind(cp.seq)
            .bind(&cp.hash)
            .bind(cp.tenant_id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(CheckpointRecord {
            id,
            checkpoint: cp.clone(),
        })
    }

    #[tracing::instrument(skip(self))]
    async fn purge_batch(
        &self,
        tenant_id: i64,
        limit: i64,
        fence: Option<&Fence>,
    ) -> Result<u64, DbError> {
        let mut tx = self.begin_write().await?;
        hold::<B>(&mut tx, fence).await?;
        B::guard_retention(&mut tx, true).await?;
        // The batch is every event up to its last seq: earlier ones are gone.
        let upto: Option<i64> = Scalar::new(
            "SELECT MAX(seq) FROM (SELECT seq FROM events WHERE tenant_id = $1 AND seq <= \
                     (SELECT cut_seq FROM tenants WHERE id = $1) ORDER BY seq LIMIT $2) AS batch",
        )
        .bind(tenant_id)
        .bind(limit)
        .fetch_one(&mut tx)
        .await?;
        let Some(upto) = upto else {
            return Ok(0);
        };
        count_rollups::<B>(&mut tx, tenant_id, i64::MIN, upto, -1).await?;
        // PostgreSQL's notes have no foreign key into partitioned events.
        Sql::new(
            "DELETE FROM event_notes WHERE tenant_id = $1 AND event_id IN \
             (SELECT id FROM events WHERE tenant_id = $1 AND seq <= $2)",
        )
        .bind(tenant_id)
        .bind(upto)
        .execute(&mut tx)
        .await?;
        let deleted = Sql::new("DELETE FROM events WHERE tenant_id = $1 AND seq <= $2")
            .bind(tenant_id)
            .bind(upto)
            .execute(&mut tx)
            .await?;
        B::guard_retention(&mut tx, false).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}

async fn insert_checkpoint_in<B: Backend>(
    tx: &mut Tx<B>,
    cp: &NewCheckpoint,
) -> Result<i64, DbError> {
    Scalar::new(
        "INSERT INTO checkpoints (tenant_id, seq, hash, signed_at, reason, public_key, \
                 signature) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(cp.tenant_id)
    .bind(cp.seq)
    .bind(&cp.hash)
    .bind(cp.signed_us)
    .bind(&cp.reason)
    .bind(&cp.public_key)
    .bind(&cp.signature)
    .fetch_one(&mut *tx)
    .await
}
