//! What the store does with partitions. On SQLite, where events are one
//! table, each call does nothing.

use super::expire;
use crate::store::{
    backend::Backend, error::DbError, leases::Fence, scope::TenantScope, sql::Scalar,
};
use async_trait::async_trait;
use std::time::Duration;

/// A partition retention dropped, and how many events of each tenant it held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedPartition {
    pub name: String,
    /// Events received from `lo` (inclusive) to `hi` (exclusive), in µs.
    pub lo: i64,
    pub hi: i64,
    pub events: Vec<(i64, u64)>,
    /// Counting its events out of the rollups (a read of the partition).
    pub counted: Duration,
    /// Detaching and dropping it (a change of the catalogue).
    pub dropped: Duration,
}

#[async_trait]
pub trait PartitionStore: Send + Sync {
    /// Makes the partitions for events received from `now_us` until the
    /// end of the next interval, where missing; returns the names made.
    async fn ensure_partitions(&self, now_us: i64) -> Result<Vec<String>, DbError>;

    /// Events left in the table from before partitioning, which the server
    /// will not serve without (`logbook migrate` copies them).
    async fn events_to_copy(&self) -> Result<u64, DbError>;

    /// Copies the next `batch` of those events into their partitions and
    /// returns how many; 0 once all are across (the old table is gone).
    async fn copy_into_partitions(&self, batch: i32) -> Result<u64, DbError>;

    /// Drops each partition received wholly before `now_us` (and before the
    /// clock's now: one that may still receive events stays) whose events
    /// are all at or behind their tenants' retention cuts, after counting
    /// them out of the rollups and deleting their notes. A partition that
    /// holds any event a cut does not cover (a legal hold, a longer
    /// retention) is kept; retention deletes its expired rows one by one.
    async fn drop_expired_partitions(
        &self,
        now_us: i64,
        fence: Option<&Fence>,
    ) -> Result<Vec<DroppedPartition>, DbError>;
}

#[async_trait]
impl<B: Backend> PartitionStore for B {
    async fn ensure_partitions(&self, now_us: i64) -> Result<Vec<String>, DbError> {
        let Some(interval) = self.partition_interval() else {
            return Ok(Vec::new());
        };
        let (_, next) = interval.span(now_us);
        let mut made = Vec::new();
        for (lo, hi) in interval.spans(now_us, next) {
            let name: Option<String> =
                Scalar::new("SELECT logbook_add_events_partition($1, $2, $3)")
                    .bind(lo.max(now_us))
                    .bind(lo)
                    .bind(hi)
                    .fetch_one(self.write())
                    .await?;
            made.extend(name);
        }
        Ok(made)
    }

    async fn events_to_copy(&self) -> Result<u64, DbError> {
        if self.partition_interval().is_none() {
            return Ok(0);
        }
        let waiting: bool = Scalar::new("SELECT to_regclass('events_unpartitioned') IS NOT NULL")
            .fetch_one(self.read())
            .await?;
        if !waiting {
            return Ok(0);
        }
        let mut tx = self.scoped_read(&TenantScope::all_tenants()).await?;
        let left: i64 = Scalar::new(
            "SELECT COUNT(*) FROM events_unpartitioned e, events_copy c \
             WHERE (e.tenant_id, e.seq) > (c.tenant_id, c.seq)",
        )
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(left.max(0) as u64)
    }

    async fn copy_into_partitions(&self, batch: i32) -> Result<u64, DbError> {
        let Some(interval) = self.partition_interval() else {
            return Ok(0);
        };
        let copied: i64 = Scalar::new("SELECT logbook_copy_unpartitioned($1::int, $2)")
            .bind(i64::from(batch.max(1)))
            .bind(interval.sql_name())
            .fetch_one(self.write())
            .await?;
        Ok(copied.max(0) as u64)
    }

    async fn drop_expired_partitions(
        &self,
        now_us: i64,
        fence: Option<&Fence>,
    ) -> Result<Vec<DroppedPartition>, DbError> {
        if self.partition_interval().is_none() {
            return Ok(Vec::new());
        }
        expire::drop_expired::<B>(self, now_us, fence).await
    }
}
