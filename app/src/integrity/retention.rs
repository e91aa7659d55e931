//! Retention: deletes each tenant's expired events after signing a
//! checkpoint at the cut so that what remains still verifies; on
//! PostgreSQL whole expired partitions are dropped, the rest goes oldest
//! first in small batches. A legal hold or "keep forever" skips the tenant.

use std::collections::HashMap;

use crate::{
    auth::Entry,
    model::Tenant,
    store::{reason, DbError, Fence, Signer, Store, TenantScope},
};

const DAY_US: i64 = 86_400_000_000;

#[derive(Clone, Copy, Debug)]
pub struct RetentionPolicy {
    /// Days kept for tenants that set none (365 unless configured).
    pub default_days: u32,
    /// Events deleted per transaction: short transactions keep ingest flowing.
    pub batch: i64,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            default_days: 365,
            batch: 1_000,
        }
    }
}

/// What one run deleted for one tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purge {
    pub tenant: String,
    pub deleted: u64,
    /// Events up to here are gone; the chain now starts after it.
    pub cut_seq: i64,
    /// Events received before this were expired.
    pub cutoff_us: i64,
}

/// One pass over every tenant at `now_us`. Each purge is recorded in
/// Logbook's own log. The scheduled job passes its lease's `fence`, so a
/// server that lost the lease mid-run writes no further cut or delete;
/// `logbook retention`, an operator's own command, passes none.
pub async fn run_retention(
    store: &dyn Store,
    signer: &Signer,
    policy: RetentionPolicy,
    now_us: i64,
    fence: Option<&Fence>,
) -> Result<Vec<Purge>, DbError> {
    let expiring = record_cuts(store, signer, policy, now_us, fence).await?;
    // Whole partitions first (PostgreSQL), once every tenant's cut is
    // recorded: a partition goes only when each event in it, of whichever
    // tenant, is behind its tenant's cut.
    let mut dropped: HashMap<i64, u64> = HashMap::new();
    for partition in store.drop_expired_partitions(now_us, fence).await? {
        for (tenant, n) in partition.events {
            *dropped.entry(tenant).or_default() += n;
        }
    }
    let mut purges = Vec::new();
    for Expiring {
        tenant,
        days,
        cutoff_us,
    } in expiring
    {
        // The rest row by row; this also finishes a run that stopped
        // between its cut and its deletes.
        let mut deleted = dropped.remove(&tenant.id).unwrap_or(0);
        loop {
            let n = store.purge_batch(tenant.id, policy.batch, fence).await?;
            deleted += n;
            if n < policy.batch.max(1) as u64 {
                break;
            }
            tokio::task::yield_now().await;
        }
        if deleted == 0 {
            continue;
        }
        let (cut_seq, _) = store.retention_cut(tenant.id).await?;
        let purge = Purge {
            tenant: tenant.slug.clone(),
            deleted,
            cut_seq,
            cutoff_us,
        };
        log_purge(store, &purge, days).await?;
        purges.push(purge);
    }
    Ok(purges)
}

/// A tenant whose events expire: its retention and the moment before
/// which they have.
pub struct Expiring {
    pub tenant: Tenant,
    pub days: u32,
    pub cutoff_us: i64,
}

/// Retention's first step: a signed cut for each tenant whose events have
/// expired since its last one. Returns every tenant that retention covers
/// (not held, not kept forever).
pub async fn record_cuts(
    store: &dyn Store,
    signer: &Signer,
    policy: RetentionPolicy,
    now_us: i64,
    fence: Option<&Fence>,
) -> Result<Vec<Expiring>, DbError> {
    let mut expiring = Vec::new();
    for settings in store.tenant_settings(&TenantScope::all_tenants()).await? {
        if settings.legal_hold {
            continue;
        }
        let Some(days) = settings.retention.days(policy.default_days) else {
            continue;
        };
        let tenant = settings.tenant;
        let cutoff_us = now_us - i64::from(days) * DAY_US;
        if let Some(last) = store.last_expired_seq(tenant.id, cutoff_us).await? {
            let hash = store.hash_at(tenant.id, last).await?.ok_or_else(|| {
                DbError::Corrupt(format!("event #{last} of {} vanished", tenant.slug))
            })?;
            let cut = signer.sign(
                tenant.id,
                &tenant.slug,
                (last, hash),
                now_us,
                reason::RETENTION,
            );
            store.record_cut(&cut, fence).await?;
        }
        expiring.push(Expiring {
            tenant,
            days,
            cutoff_us,
        });
    }
    Ok(expiring)
}

async fn log_purge(store: &dyn Store, purge: &Purge, days: u32) -> Result<(), DbError> {
    let cutoff = chrono::DateTime::from_timestamp_micros(purge.cutoff_us)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    Entry::new(
        "retention.purged",
        "purged",
        format!(
            "Deleted {} events of {} received before {cutoff} ({days}-day retention); the chain now starts after #{}",
            purge.deleted, purge.tenant, purge.cut_seq
        ),
    )
    .by_system("retention")
    .resource("tenant", &purge.tenant, None)
    .metadata(serde_json::json!({
        "tenant": purge.tenant,
        "deleted": purge.deleted,
        "cutoff": cutoff,
        "retention_days": days,
        "cut_seq": purge.cut_seq,
    }))
    .record(store)
    .await
}
