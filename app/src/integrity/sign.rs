//! Signing tenants' chain heads: on demand, on a schedule, at retention cuts
//! and for exports.

use crate::{
    model::Tenant,
    store::{CheckpointRecord, DbError, Fence, Signer, Store, TenantScope},
};
use std::sync::Arc;

/// The server's signing key, as handed to server functions through context.
#[derive(Clone, Debug)]
pub struct Keys(pub Arc<Signer>);

/// Signs the tenant's current head. `None` when the chain is still empty
/// (there is nothing to vouch for). A scheduled signing passes its job's
/// `fence`; one asked for by a person passes none.
pub async fn sign_head(
    store: &dyn Store,
    signer: &Signer,
    tenant: &Tenant,
    why: &str,
    fence: Option<&Fence>,
) -> Result<Option<CheckpointRecord>, DbError> {
    let head = store.chain_head(tenant.id).await?;
    if head.0 == 0 {
        return Ok(None);
    }
    let now = chrono::Utc::now().timestamp_micros();
    let cp = signer.sign(tenant.id, &tenant.slug, head, now, why);
    store.insert_checkpoint(&cp, fence).await.map(Some)
}

/// The periodic job: signs every tenant whose head moved since its latest
/// checkpoint. Returns how many were signed. With several servers on one
/// database, only the holder of the job's lease signs (`fence`).
pub async fn sign_moved_heads(
    store: &dyn Store,
    signer: &Signer,
    fence: Option<&Fence>,
) -> Result<usize, DbError> {
    let mut signed = 0;
    for tenant in store.list_tenants(&TenantScope::all_tenants()).await? {
        let (head_seq, _) = store.chain_head(tenant.id).await?;
        let latest = store.checkpoints(tenant.id, Some(1)).await?;
        let last_signed = latest.first().map_or(0, |cp| cp.checkpoint.seq);
        if head_seq > last_signed {
            let scheduled = crate::store::reason::SCHEDULED;
            signed += usize::from(
                sign_head(store, signer, &tenant, scheduled, fence)
                    .await?
                    .is_some(),
            );
        }
    }
    Ok(signed)
}
