//! Leases for work that must run on one server at a time when several
//! share a database: retention and the scheduled checkpoints.
//!
//! A lease names its holder (one per server process) until a time, and a
//! fence that grows by one whenever the lease changes hands. Holding it
//! is not enough to write: a server may stall (a long pause, a lost
//! network) past its lease while another takes over, then wake up and
//! carry on. So each write a job makes checks, inside its own
//! transaction, that its holder and fence still hold the lease, with the
//! lease's row locked on PostgreSQL so it cannot change hands before the
//! commit; a stale holder's write fails with `DbError::Fenced`.

use crate::store::{
    backend::{Backend, Tx},
    error::DbError,
    sql::Sql,
};
use async_trait::async_trait;

/// Proof of holding a job's lease: what a fenced write checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fence {
    pub job: String,
    pub holder: String,
    pub fence: i64,
}

#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes `job`'s lease for `holder` until `now_us + ttl_us`, or renews
    /// it when `holder` has it; `None` while another holder's lease runs.
    /// The fence grows by one each time the lease changes hands.
    async fn acquire_lease(
        &self,
        job: &str,
        holder: &str,
        now_us: i64,
        ttl_us: i64,
    ) -> Result<Option<Fence>, DbError>;

    /// Gives the lease up at once, if `fence` still holds it, so another
    /// server need not wait for it to run out.
    async fn release_lease(&self, fence: &Fence) -> Result<(), DbError>;
}

#[async_trait]
impl<B: Backend> LeaseStore for B {
    async fn acquire_lease(
        &self,
        job: &str,
        holder: &str,
        now_us: i64,
        ttl_us: i64,
    ) -> Result<Option<Fence>, DbError> {
        // One statement: it takes, renews or leaves the lease atomically.
        let fence: Option<(i64,)> = Sql::<B::Db>::new(
            "INSERT INTO job_leases (job, holder, fence, until_us) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (job) DO UPDATE SET \
             fence = CASE WHEN job_leases.holder = excluded.holder \
                     THEN job_leases.fence ELSE job_leases.fence + 1 END, \
             holder = excluded.holder, until_us = excluded.until_us \
             WHERE job_leases.holder = excluded.holder OR job_leases.until_us <= $4 \
             RETURNING fence",
        )
        .bind(job)
        .bind(holder)
        .bind(now_us.saturating_add(ttl_us))
        .bind(now_us)
        .fetch_optional(self.write())
        .await?;
        Ok(fence.map(|(fence,)| Fence {
            job: job.to_string(),
            holder: holder.to_string(),
            fence,
        }))
    }

    async fn release_lease(&self, fence: &Fence) -> Result<(), DbError> {
        Sql::<B::Db>::new(
            "UPDATE job_leases SET until_us = 0 WHERE job = $1 AND holder = $2 AND fence = $3",
        )
        .bind(&fence.job)
        .bind(&fence.holder)
        .bind(fence.fence)
        .execute(self.write())
        .await?;
        Ok(())
    }
}

/// Fails the transaction's write unless `fence` still holds its lease
/// now; on PostgreSQL the lease's row stays locked until the commit, so it
/// cannot change hands in between. No fence: an operator's own command
/// (`logbook retention`), which answers to no lease.
pub(crate) async fn hold<B: Backend>(tx: &mut Tx<B>, fence: Option<&Fence>) -> Result<(), DbError> {
    let Some(fence) = fence else {
        return Ok(());
    };
    let now_us = chrono::Utc::now().timestamp_micros();
    let held: Option<(i64,)> = Sql::<B::Db>::new(format!(
        "SELECT fence FROM job_leases WHERE job = $1 AND holder = $2 AND fence = $3 \
         AND until_us > $4{}",
        B::HEAD_LOCK
    ))
    .bind(&fence.job)
    .bind(&fence.holder)
    .bind(fence.fence)
    .bind(now_us)
    .fetch_optional(&mut *tx)
    .await?;
    match held {
        Some(_) => Ok(()),
        None => Err(DbError::Fenced(fence.job.clone())),
    }
}
