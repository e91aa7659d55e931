//! Account and API-key rows as both backends return them.

use crate::model::{ApiKeyInfo, MemberInfo, Permissions, Role, Tenant};
use crate::store::{
    accounts::api::{Member, SignInRecord},
    error::DbError,
};

/// Columns of `accounts a LEFT JOIN tenants t ON t.id = a.tenant_id`.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "a.id AS account_id, a.email, a.name, a.role, a.tenant_id, \
     t.slug AS tenant_slug, t.name AS tenant_name, a.permissions, a.totp_secret, \
     a.password_hash, a.deactivated_at, a.created_at, a.last_sign_in_at, a.password_temporary";

pub(crate) const ACCOUNT_FROM: &str = "accounts a LEFT JOIN tenants t ON t.id = a.tenant_id";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AccountRow {
    account_id: i64,
    email: String,
    name: String,
    role: String,
    tenant_id: Option<i64>,
    tenant_slug: Option<String>,
    tenant_name: Option<String>,
    permissions: String,
    totp_secret: Option<String>,
    password_hash: String,
    deactivated_at: Option<i64>,
    created_at: i64,
    last_sign_in_at: Option<i64>,
    password_temporary: bool,
}

impl AccountRow {
    fn role(&self) -> Result<Role, DbError> {
        self.role
            .parse()
            .map_err(|e: crate::model::ParseEnumError| DbError::Corrupt(e.to_string()))
    }

    pub(crate) fn member(&self) -> Result<Member, DbError> {
        let tenant = match (self.tenant_id, &self.tenant_slug, &self.tenant_name) {
            (Some(id), Some(slug), Some(name)) => Some(Tenant {
                id,
                slug: slug.clone(),
                name: name.clone(),
            }),
            _ => None,
        };
        Ok(Member {
            account_id: self.account_id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role()?,
            tenant,
            granted: Permissions::from_db(&self.permissions),
            totp_enabled: self.totp_secret.is_some(),
            password_temporary: self.password_temporary,
        })
    }

    pub(crate) fn sign_in_record(self) -> Result<SignInRecord, DbError> {
        Ok(SignInRecord {
            member: self.member()?,
            active: self.deactivated_at.is_none(),
            password_hash: self.password_hash,
            totp_secret: self.totp_secret,
        })
    }

    pub(crate) fn info(self) -> Result<MemberInfo, DbError> {
        Ok(MemberInfo {
            id: self.account_id,
            role: self.role()?,
            email: self.email,
            name: self.name,
            tenant: self.tenant_slug,
            permissions: Permissions::from_db(&self.permissions),
            totp_enabled: self.totp_secret.is_some(),
            active: self.deactivated_at.is_none(),
            created_at: self.created_at,
            last_sign_in_at: self.last_sign_in_at,
        })
    }
}

/// A session joined to its account.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub stage: String,
    pub last_seen_at: i64,
    pub created_at: i64,
    #[sqlx(flatten)]
    pub account: AccountRow,
}

/// Columns of `api_keys k JOIN tenants t … LEFT JOIN accounts a ON a.id = k.created_by`.
pub(crate) const API_KEY_INFO_SELECT: &str = "SELECT k.id, t.slug AS tenant, k.prefix, k.name, \
     a.email AS created_by, k.created_at, k.last_used_at, k.revoked_at, k.scopes FROM api_keys k \
     JOIN tenants t ON t.id = k.tenant_id LEFT JOIN accounts a ON a.id = k.created_by WHERE 1 = 1";

#[derive(Debug, sqlx::FromRow)]
pub struct ApiKeyInfoRow {
    id: i64,
    tenant: String,
    prefix: String,
    name: String,
    created_by: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    scopes: String,
}

impl From<ApiKeyInfoRow> for ApiKeyInfo {
    fn from(r: ApiKeyInfoRow) -> Self {
        ApiKeyInfo {
            id: r.id,
            tenant: r.tenant,
            prefix: r.prefix,
            name: r.name,
            // An unreadable list shows as allowing nothing, as it is enforced.
            scopes: r.scopes.parse().unwrap_or_default(),
            created_by: r.created_by,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}
