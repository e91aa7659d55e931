//! Where each tenant's log may be embedded: the origins allowed to frame
//! its viewer. Managed with the API keys, by the same permission.

use crate::{error::AppError, model::Tenant};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// One tenant and the origins that may frame its viewer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedOrigins {
    pub tenant: Tenant,
    pub origins: Vec<String>,
}

#[server(prefix = "/api", endpoint = "embedding/list", input = Json)]
pub async fn list_embed_origins() -> Result<Vec<EmbedOrigins>, AppError> {
    use crate::model::{Permission, SELF_TENANT};
    let access = super::access::require(Permission::ManageKeys, "manage API keys").await?;
    let mut list = Vec::new();
    for tenant in access.store.list_tenants(&access.scope()).await? {
        if tenant.slug == SELF_TENANT {
            continue;
        }
        let origins = access.store.embed_origins(tenant.id).await?;
        list.push(EmbedOrigins { tenant, origins });
    }
    Ok(list)
}

/// Replaces `tenant`'s origins with those in `origins` (one per line, or
/// separated by commas or spaces).
#[server(prefix = "/api", endpoint = "embedding/save")]
pub async fn save_embed_origins(tenant: String, origins: String) -> Result<Vec<String>, AppError> {
    use super::access::fail;
    use crate::{
        auth::Entry,
        model::{check_origins, Permission},
    };
    let access = super::access::require(Permission::ManageKeys, "manage API keys").await?;
    let tenant = access
        .store
        .list_tenants(&access.scope())
        .await?
        .into_iter()
        .find(|t| t.slug == tenant && t.slug != crate::model::SELF_TENANT)
        .ok_or_else(|| fail(AppError::NotFound))?;
    let origins = check_origins(origins.split([',', ' ', '\n', '\r', '\t']))
        .map_err(|e| fail(AppError::BadRequest(e)))?;
    let before = access.store.embed_origins(tenant.id).await?;
    access.store.set_embed_origins(tenant.id, &origins).await?;
    let entry = Entry::new(
        "embedding.origins_changed",
        "updated",
        format!(
            "Set the sites that may embed {}'s log: {}",
            tenant.slug,
            if origins.is_empty() {
                "none".to_string()
            } else {
                origins.join(", ")
            }
        ),
    )
    .severity(crate::model::Severity::Notice)
    .resource("tenant", &tenant.slug, Some(tenant.name.clone()))
    .change(
        serde_json::json!({ "origins": before }),
        serde_json::json!({ "origins": origins }),
    );
    access.log(entry).await?;
    Ok(origins)
}
