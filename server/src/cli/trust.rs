//! `logbook verify`, `verify --file` and `checkpoint`: the chain and its
//! signed checkpoints from the command line, exiting non-zero on a break.

use super::CliResult;
use app::{
    integrity::sign_head,
    model::Tenant,
    store::{reason, PublicKey, Signer, Store, TenantScope},
};
use std::error::Error;

/// All tenants, or the one named.
async fn tenants(
    store: &dyn Store,
    only: Option<&str>,
) -> Result<Vec<Tenant>, Box<dyn Error + Send + Sync>> {
    Ok(match only {
        Some(slug) => vec![store
            .tenant_by_slug(slug)
            .await?
            .ok_or_else(|| format!("unknown tenant '{slug}'"))?],
        None => store.list_tenants(&TenantScope::all_tenants()).await?,
    })
}

pub(super) async fn checkpoint(
    store: &dyn Store,
    signer: &Signer,
    only: Option<&str>,
) -> CliResult {
    for tenant in tenants(store, only).await? {
        match sign_head(store, signer, &tenant, reason::ON_DEMAND, None).await? {
            Some(cp) => println!(
                "signed  {}: #{} {}",
                tenant.slug, cp.checkpoint.seq, cp.checkpoint.hash
            ),
            None => println!("empty   {}: nothing to sign yet", tenant.slug),
        }
    }
    Ok(())
}

/// Checks an exported file with its proof: no database, no server.
pub(super) fn verify_file(path: &std::path::Path, key: &str) -> CliResult {
    let key = PublicKey::from_base64(key)?;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let report = app::integrity::verify_file(std::io::BufReader::new(file), &key)
        .map_err(|e| format!("{}: BROKEN: {e}", path.display()))?;
    println!(
        "ok      {}: {} events of {} intact, {} left out by the filter vouched for, signed head #{} {}",
        path.display(),
        report.events,
        report.tenant,
        report.omitted,
        report.checkpoint_seq,
        report.head_hash
    );
    Ok(())
}

/// Prints one line per tenant; a broken chain names its first bad entry.
pub(super) async fn verify(
    store: &dyn Store,
    trusted: &PublicKey,
    only: Option<&str>,
) -> CliResult {
    let tenants = tenants(store, only).await?;
    let mut broken = 0;
    for tenant in &tenants {
        match store.verify_chain(tenant.id, trusted).await? {
            Ok(chain) => println!(
                "ok      {}: {} events, head {}, {} signed checkpoints matched, {} after the last{}",
                tenant.slug,
                chain.count(),
                chain.head_hash(),
                chain.checkpoints_matched(),
                chain.unsigned_tail(),
                if chain.cut_seq() > 0 {
                    format!(", events up to #{} removed by retention", chain.cut_seq())
                } else {
                    String::new()
                }
            ),
            Err(first) => {
                broken += 1;
                println!("BROKEN  {}: {first}", tenant.slug);
            }
        }
    }
    if broken > 0 {
        return Err(format!("{broken} of {} chains are broken", tenants.len()).into());
    }
    // The analytics counts: every rollup against the events it counts.
    let differ = store.rollup_mismatches().await?;
    if !differ.is_empty() {
        println!(
            "BROKEN  rollups: {} differ from the events",
            differ.join(", ")
        );
        return Err(format!("{} rollup tables differ from the events", differ.len()).into());
    }
    println!("ok      rollups: every table equals the events it counts");
    Ok(())
}
