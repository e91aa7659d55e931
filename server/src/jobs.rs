//! Background work while serving: scheduled checkpoints, retention and the
//! query planner's statistics.
//! Errors are logged and retried on the next tick; they never stop serving.

use crate::config::Config;
use app::{
    integrity::{run_retention, sign_moved_heads},
    store::{Signer, Store, RECEIPT_LIFETIME_US},
};
use std::{sync::Arc, time::Duration};
use tokio::time::{interval, MissedTickBehavior};

pub fn spawn(store: Arc<dyn Store>, signer: Arc<Signer>, config: &Config) {
    let policy = config.retention.policy();
    let checkpoint_every = Duration::from_secs(config.integrity.checkpoint_every_secs.max(1));
    let retention_every = Duration::from_secs(config.retention.every_secs.max(1));
    let planner = store.clone();
    tokio::spawn(async move {
        let mut tick = interval(Duration::from_secs(3600));
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is now; migrate() has just analysed
        loop {
            tick.tick().await;
            if let Err(err) = planner.refresh_statistics().await {
                tracing::error!(error = %err, "refreshing planner statistics failed");
            }
        }
    });
    let (s, k) = (store.clone(), signer.clone());
    tokio::spawn(async move {
        let mut tick = interval(checkpoint_every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match sign_moved_heads(&*s, &k).await {
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
            let now = chrono::Utc::now().timestamp_micros();
            match store.purge_receipts(now - RECEIPT_LIFETIME_US).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(receipts = n, "expired idempotency receipts deleted"),
                Err(err) => tracing::error!(error = %err, "deleting expired receipts failed"),
            }
            match run_retention(&*store, &signer, policy, now).await {
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
