//! Integrity from the dashboard: verify a tenant's chain, see and sign checkpoints.

use crate::{
    error::AppError,
    model::{ChainReport, CheckpointInfo, IntegrityOverview},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// Walks what retention left of the tenant's chain, checks it against every
/// signed checkpoint, and reports the first break, if any. The run and its
/// result are recorded in Logbook's own log.
#[server(prefix = "/api", endpoint = "chains/verify", input = Json)]
pub async fn verify_chain(tenant: String) -> Result<ChainReport, AppError> {
    use crate::{
        auth::Entry,
        model::{Outcome, Permission, Severity},
    };
    let access = super::access::require(Permission::ViewLogs, "verify a chain").await?;
    let keys = super::access::keys()?;
    let tenant = access.visible_tenant(&tenant).await?;
    // A walk of a whole chain holds a connection and a core for long.
    let _slot = super::access::limiters()?
        .verifications
        .take(&format!("account:{}", access.member.account_id()))
        .ok_or_else(|| {
            super::access::fail(AppError::TooManyRequests(
                "A verification of yours is still running; wait for it to finish.".into(),
            ))
        })?;
    let trusted = keys.0.public_key();
    let report = match access.store.verify_chain(tenant.id, &trusted).await? {
        Ok(chain) => ChainReport {
            tenant: tenant.slug,
            events: chain.count(),
            head_hash: chain.head_hash().to_string(),
            cut_seq: chain.cut_seq(),
            checkpoints: chain.checkpoints_matched(),
            unsigned_tail: chain.unsigned_tail(),
            problem: None,
        },
        Err(broken) => ChainReport {
            tenant: tenant.slug,
            events: 0,
            head_hash: String::new(),
            cut_seq: 0,
            checkpoints: 0,
            unsigned_tail: 0,
            problem: Some(broken.to_string()),
        },
    };
    let entry = match &report.problem {
        None => Entry::new(
            "chain.verified",
            "verified",
            format!(
                "Verified {}: {} events intact, {} signed checkpoints matched",
                report.tenant, report.events, report.checkpoints
            ),
        ),
        Some(problem) => Entry::new(
            "chain.verified",
            "verified",
            format!("Verification of {} found a break: {problem}", report.tenant),
        )
        .outcome(Outcome::Failure)
        .severity(Severity::Critical),
    }
    .resource("tenant", &report.tenant, None);
    access.log(entry).await?;
    Ok(report)
}

/// The public key, and each visible tenant's head, cut and latest checkpoint.
#[server(prefix = "/api", endpoint = "chains/overview")]
pub async fn load_integrity() -> Result<IntegrityOverview, AppError> {
    use crate::model::{Permission, Role, TenantIntegrity};
    let access = super::access::require(Permission::ViewLogs, "see integrity").await?;
    let keys = super::access::keys()?;
    let mut tenants = Vec::new();
    for tenant in access.store.list_tenants(&access.scope()).await? {
        let (head_seq, _) = access.store.chain_head(tenant.id).await?;
        let (cut_seq, _) = access.store.retention_cut(tenant.id).await?;
        let latest = access.store.checkpoints(tenant.id, Some(1)).await?;
        tenants.push(TenantIntegrity {
            tenant,
            head_seq,
            cut_seq,
            latest: latest.into_iter().next().map(|cp| info(cp.checkpoint)),
        });
    }
    Ok(IntegrityOverview {
        public_key: keys.0.public_key().to_base64(),
        tenants,
        can_sign: access.member.role() == Role::Admin,
    })
}

/// Signs the tenant's head now (admins only); logged.
#[server(prefix = "/api", endpoint = "chains/sign", input = Json)]
pub async fn sign_checkpoint(tenant: String) -> Result<Option<CheckpointInfo>, AppError> {
    use crate::{auth::Entry, integrity::sign_head, store::reason};
    let access = super::access::require_admin("sign a checkpoint").await?;
    let keys = super::access::keys()?;
    let tenant = access.visible_tenant(&tenant).await?;
    let signed = sign_head(&*access.store, &keys.0, &tenant, reason::ON_DEMAND, None).await?;
    if let Some(cp) = &signed {
        let cp = &cp.checkpoint;
        let entry = Entry::new(
            "chain.checkpoint_signed",
            "checkpoint_signed",
            format!("Signed the head of {} at #{}", tenant.slug, cp.seq),
        )
        .resource("tenant", &tenant.slug, None)
        .metadata(serde_json::json!({ "seq": cp.seq, "hash": cp.hash }));
        access.log(entry).await?;
    }
    Ok(signed.map(|cp| info(cp.checkpoint)))
}

#[cfg(feature = "ssr")]
fn info(cp: crate::store::NewCheckpoint) -> CheckpointInfo {
    CheckpointInfo {
        seq: cp.seq,
        hash: cp.hash,
        signed_us: cp.signed_us,
        reason: cp.reason,
    }
}
