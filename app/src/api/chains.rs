//! Checking tenants' hash chains from the dashboard.

use crate::{error::AppError, model::ChainReport};
use leptos::{prelude::*, server_fn::codec::Json};

/// Walks the tenant's whole chain and reports the first break, if any.
#[server(prefix = "/api", endpoint = "chains/verify", input = Json)]
pub async fn verify_chain(tenant: String) -> Result<ChainReport, AppError> {
    use super::events::{dashboard_scope, db};
    let store = db()?.0;
    let visible = store.list_tenants(&dashboard_scope()).await?;
    let tenant = visible
        .into_iter()
        .find(|t| t.slug == tenant)
        .ok_or(AppError::NotFound)?;
    Ok(match store.verify_chain(tenant.id).await? {
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
    })
}
