//! Checking tenants' hash chains from the dashboard.

use crate::{error::AppError, model::ChainReport};
use leptos::{prelude::*, server_fn::codec::Json};

/// Walks the tenant's whole chain and reports the first break, if any. The
/// run and its result are recorded in Logbook's own log.
#[server(prefix = "/api", endpoint = "chains/verify", input = Json)]
pub async fn verify_chain(tenant: String) -> Result<ChainReport, AppError> {
    use crate::{
        auth::Entry,
        model::{Outcome, Permission, Severity},
    };
    let access = super::access::require(Permission::ViewLogs, "verify a chain").await?;
    let visible = access.store.list_tenants(&access.scope()).await?;
    let tenant = visible
        .into_iter()
        .find(|t| t.slug == tenant)
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let report = match access.store.verify_chain(tenant.id).await? {
        Ok(chain) => ChainReport {
            tenant: tenant.slug,
            events: chain.count(),
            head_hash: chain.head_hash().to_string(),
            problem: None,
        },
        Err(broken) => ChainReport {
            tenant: tenant.slug,
            events: 0,
            head_hash: String::new(),
            problem: Some(broken.to_string()),
        },
    };
    let entry = match &report.problem {
        None => Entry::new(
            "chain.verified",
            "verified",
            format!(
                "Verified {}: {} events intact",
                report.tenant, report.events
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
