//! Background work while serving: scheduled checkpoints, retention, the
//! query planner's statistics and, on PostgreSQL, the next time partition.
//! Errors are logged and retried on the next tick; they never stop serving.
//!
//! Several servers may share one PostgreSQL database. Checkpoints and
//! retention then run on one of them at a time: each run first takes (or
//! renews) its job's lease, and its writes are fenced by it
//! (`app::store::LeaseStore`), so a server that stalls past its lease
//! cannot sign or delete after another took over.

use crate::config::Config;
use app::{
    integrity::{run_retention, sign_moved_heads},
    store::{Fence, Signer, Store, RECEIPT_LIFETIME_US},
};
use std::{sync::Arc, time::Duration};
use tokio::time::{interval, MissedTickBehavior};

/// A lease outlives the runs it covers by this much at least: a run that
/// takes longer loses it and is refused mid-way (then retried).
const LEASE_FLOOR: Duration = Duration::from_secs(600);

pub fn spawn(store: Arc<dyn Store>, signer: Arc<Signer>, config: &Config) {
    let policy = config.retention.policy();
    let checkpoint_every = Duration::from_secs(config.integrity.checkpoint_every_secs.max(1));
    let retention_every = Duration::from_secs(config.retention.every_secs.max(1));
    // This process, as a lease holder: unique, and new on every start, so
    // a restarted server waits for its old lease like any other.
    let holder: Arc<str> = format!("{}:{}", std::process::id(), ulid::Ulid::new()).into();
    let planner = store.clone();
    tokio::spawn(async move {
        let mut tick = interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is now; opening the store did both
        loop {
            tick.tick().await;
            if let Err(err) = planner.refresh_statistics().await {
                tracing::error!(error = %err, "refreshing planner statistics failed");
            }
            // Made ahead of time by whichever server comes first, so no
            // append waits for one (or fails for want of one).
            let now = chrono::Utc::now().timestamp_micros();
            match planner.ensure_partitions(now).await {
                Ok(made) if !made.is_empty() => tracing::info!(?made, "events partitions made"),
                Ok(_) => {}
                Err(err) => tracing::error!(error = %err, "making events partitions failed"),
            }
        }
    });
    let (s, k, h) = (store.clone(), signer.clone(), holder.clone());
    tokio::spawn(async move {
        let mut tick = interval(checkpoint_every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(fence) = lease(&*s, "checkpoints", &h, checkpoint_every).await else {
                continue;
            };
            match sign_moved_heads(&*s, &k, Some(&fence)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tenants = n, "signed checkpoints"),
                Err(err) => tracing::error!(error = %err, "scheduled checkpoints failed"),
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = interval(retention_every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(fence) = lease(&*store, "retention", &holder, retention_every).await else {
                continue;
            };
            let now = chrono::Utc::now().timestamp_micros();
            match store.purge_receipts(now - RECEIPT_LIFETIME_US).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(receipts = n, "expired idempotency receipts deleted"),
                Err(err) => tracing::error!(error = %err, "deleting expired receipts failed"),
            }
            match run_retention(&*store, &signer, policy, now, Some(&fence)).await {
                Ok(purges) => {
                    for p in purges {
                        tracing::info!(tenant = %p.tenant, deleted = p.deleted, cut = p.cut_seq, "retention");
                    }
                }
                Err(err) => tracing::error!(error = %err, "retention run failed"),
            }
        }
    });
}

/// Takes or renews `job`'s lease for this server until two of its periods
/// (at least `LEASE_FLOOR`) from now; `None` while another server holds it.
async fn lease(store: &dyn Store, job: &str, holder: &str, every: Duration) -> Option<Fence> {
    let ttl = (every * 2).max(LEASE_FLOOR);
    let now = chrono::Utc::now().timestamp_micros();
    match store
        .acquire_lease(job, holder, now, ttl.as_micros() as i64)
        .await
    {
        Ok(Some(fence)) => Some(fence),
        Ok(None) => {
            tracing::debug!(job, "another server holds this job's lease");
            None
        }
        Err(err) => {
            tracing::error!(job, error = %err, "taking the job's lease failed");
            None
        }
    }
}
