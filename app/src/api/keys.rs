//! Ingest API keys per tenant: list, create (the secret is shown once), revoke.
//! Admins manage every tenant's keys; partners with the permission their own.

use crate::{error::AppError, model::ApiKeyInfo};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub key: ApiKeyInfo,
    /// The full key; never stored, never shown again.
    pub secret: String,
}

#[server(prefix = "/api", endpoint = "keys/list", input = Json)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyInfo>, AppError> {
    use crate::model::Permission;
    let access = super::access::require(Permission::ManageKeys, "manage API keys").await?;
    Ok(access.store.list_api_keys(&access.scope()).await?)
}

/// Creates a key for `tenant` with the scopes whose boxes were ticked
/// (`ingest`, `read`, `export`: present means ticked); at least one.
#[server(prefix = "/api", endpoint = "keys/create")]
pub async fn create_api_key(
    tenant: String,
    name: String,
    #[server(default)] ingest: Option<String>,
    #[server(default)] read: Option<String>,
    #[server(default)] export: Option<String>,
) -> Result<CreatedKey, AppError> {
    use super::access::fail;
    use crate::{
        auth::{keys, Entry, SELF_TENANT},
        model::Permission,
        store::NewApiKey,
    };
    let access = super::access::require(Permission::ManageKeys, "manage API keys").await?;
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(fail(AppError::BadRequest(
            "Name the key after what will use it.".into(),
        )));
    }
    if tenant == SELF_TENANT {
        return Err(fail(AppError::BadRequest(
            "Logbook's own log is written by Logbook only; it takes no API keys.".into(),
        )));
    }
    // Only tenants in the caller's scope can be named: a partner naming
    // another tenant finds nothing.
    let tenant = access
        .store
        .list_tenants(&access.scope())
        .await?
        .into_iter()
        .find(|t| t.slug == tenant)
        .ok_or_else(|| fail(AppError::NotFound))?;
    // Checkboxes: present when ticked.
    let scopes = crate::model::KeyScopes {
        ingest: ingest.is_some(),
        read: read.is_some(),
        export: export.is_some(),
    };
    if scopes.is_empty() {
        return Err(fail(AppError::BadRequest(
            "Choose what the key may do: ingest, read or export.".into(),
        )));
    }
    let key = keys::generate();
    let record = access
        .store
        .insert_api_key(&NewApiKey {
            tenant_id: tenant.id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: name.clone(),
            created_by: Some(access.member.account_id()),
            scopes,
        })
        .await?;
    let info = ApiKeyInfo {
        id: record.id,
        tenant: tenant.slug.clone(),
        prefix: record.prefix,
        name: record.name,
        scopes,
        created_by: Some(access.member.email().to_string()),
        created_at: record.created_at,
        last_used_at: record.last_used_at,
        revoked_at: record.revoked_at,
    };
    let entry = Entry::new(
        "api_key.created",
        "created",
        format!(
            "Created API key {} ({name}) for {} that may {}",
            info.prefix, tenant.slug, scopes
        ),
    )
    .severity(crate::model::Severity::Notice)
    .resource("api_key", &info.prefix, Some(name))
    .metadata(serde_json::json!({ "tenant": tenant.slug }));
    access.log(entry).await?;
    Ok(CreatedKey {
        key: info,
        secret: key.plaintext,
    })
}

/// Revoked keys are refused by the ingest API from the next request on.
#[server(prefix = "/api", endpoint = "keys/revoke", input = Json)]
pub async fn revoke_api_key(id: i64) -> Result<ApiKeyInfo, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ManageKeys, "manage API keys").await?;
    let now = chrono::Utc::now().timestamp_micros();
    let info = access
        .store
        .revoke_api_key(&access.scope(), id, now)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let entry = Entry::new(
        "api_key.revoked",
        "deleted",
        format!(
            "Revoked API key {} ({}) of {}",
            info.prefix, info.name, info.tenant
        ),
    )
    .severity(crate::model::Severity::Notice)
    .resource("api_key", &info.prefix, Some(info.name.clone()))
    .metadata(serde_json::json!({ "tenant": info.tenant }));
    access.log(entry).await?;
    Ok(info)
}
