//! Tenants, their ingest keys and idempotency receipts, on either backend.

use crate::model::Tenant;
use crate::store::{
    backend::Backend,
    error::DbError,
    events::{ApiKeyRecord, NewApiKey},
    scope::TenantScope,
    sql::{Scalar, Sql},
};

/// `tenants` as selected here.
#[derive(sqlx::FromRow)]
struct TenantRow {
    id: i64,
    slug: String,
    name: String,
}

impl From<TenantRow> for Tenant {
    fn from(row: TenantRow) -> Self {
        Tenant {
            id: row.id,
            slug: row.slug,
            name: row.name,
        }
    }
}

const API_KEY_COLUMNS: &str =
    "id, tenant_id, prefix, secret_hash, name, created_at, last_used_at, revoked_at, scopes";

#[tracing::instrument(skip(b))]
pub(crate) async fn ensure_tenant<B: Backend>(
    b: &B,
    slug: &str,
    name: &str,
) -> Result<Tenant, DbError> {
    Sql::new(
        "INSERT INTO tenants (slug, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind(slug)
    .bind(name)
    .bind(chrono::Utc::now().timestamp_micros())
    .execute(b.write())
    .await?;
    tenant_by_slug(b, slug)
        .await?
        .ok_or_else(|| DbError::UnknownTenant(slug.to_string()))
}

pub(crate) async fn tenant_by_slug<B: Backend>(
    b: &B,
    slug: &str,
) -> Result<Option<Tenant>, DbError> {
    let row: Option<TenantRow> = Sql::new("SELECT id, slug, name FROM tenants WHERE slug = $1")
        .bind(slug)
        .fetch_optional(b.read())
        .await?;
    Ok(row.map(Tenant::from))
}

pub(crate) async fn tenant_by_id<B: Backend>(b: &B, id: i64) -> Result<Option<Tenant>, DbError> {
    let row: Option<TenantRow> = Sql::new("SELECT id, slug, name FROM tenants WHERE id = $1")
        .bind(id)
        .fetch_optional(b.read())
        .await?;
    Ok(row.map(Tenant::from))
}

pub(crate) async fn list_tenants<B: Backend>(
    b: &B,
    scope: &TenantScope,
) -> Result<Vec<Tenant>, DbError> {
    let mut qb = Sql::new("SELECT id, slug, name FROM tenants WHERE 1 = 1");
    scope.push_sql(&mut qb, "id");
    qb.push(" ORDER BY slug");
    let rows: Vec<TenantRow> = qb.fetch_all(b.read()).await?;
    Ok(rows.into_iter().map(Tenant::from).collect())
}

#[tracing::instrument(skip(b, key), fields(prefix = %key.prefix))]
pub(crate) async fn insert_api_key<B: Backend>(
    b: &B,
    key: &NewApiKey,
) -> Result<ApiKeyRecord, DbError> {
    Sql::new(format!(
        "INSERT INTO api_keys (tenant_id, prefix, secret_hash, name, created_at, created_by, \
         scopes) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {API_KEY_COLUMNS}"
    ))
    .bind(key.tenant_id)
    .bind(&key.prefix)
    .bind(&key.secret_hash)
    .bind(&key.name)
    .bind(chrono::Utc::now().timestamp_micros())
    .bind(key.created_by)
    .bind(key.scopes.to_string())
    .fetch_one(b.write())
    .await
}

pub(crate) async fn api_key_by_prefix<B: Backend>(
    b: &B,
    prefix: &str,
) -> Result<Option<ApiKeyRecord>, DbError> {
    Sql::new(format!(
        "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE prefix = $1"
    ))
    .bind(prefix)
    .fetch_optional(b.read())
    .await
}

/// Records use of a key, at most once a minute per key.
pub(crate) async fn touch_api_key<B: Backend>(b: &B, id: i64, now_us: i64) -> Result<(), DbError> {
    Sql::new(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now_us)
    .bind(id)
    .bind(now_us - 60_000_000)
    .execute(b.write())
    .await?;
    Ok(())
}

pub(crate) async fn embed_origins<B: Backend>(
    b: &B,
    tenant_id: i64,
) -> Result<Vec<String>, DbError> {
    let stored: Option<String> = Scalar::new("SELECT embed_origins FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(b.read())
        .await?;
    let stored = stored.ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))?;
    serde_json::from_str(&stored)
        .map_err(|e| DbError::Corrupt(format!("embed origins of tenant {tenant_id}: {e}")))
}

pub(crate) async fn set_embed_origins<B: Backend>(
    b: &B,
    tenant_id: i64,
    origins: &[String],
) -> Result<(), DbError> {
    let text = serde_json::to_string(origins).map_err(|e| DbError::Corrupt(e.to_string()))?;
    Sql::new("UPDATE tenants SET embed_origins = $1 WHERE id = $2")
        .bind(text)
        .bind(tenant_id)
        .execute(b.write())
        .await?;
    Ok(())
}

pub(crate) async fn purge_receipts<B: Backend>(b: &B, before_us: i64) -> Result<u64, DbError> {
    Sql::new("DELETE FROM ingest_receipts WHERE created_at <= $1")
        .bind(before_us)
        .execute(b.write())
        .await
}

/// Every tenant's id, in order.
pub(crate) async fn tenant_ids<B: Backend>(
    tx: &mut crate::store::backend::Tx<B>,
) -> Result<Vec<i64>, DbError> {
    Scalar::new("SELECT id FROM tenants ORDER BY id")
        .fetch_all(&mut *tx)
        .await
}
