//! Accounts, sessions, sign-in throttling and API-key management: the part of
//! the store behind sign-in and the admin pages.

use crate::model::{ApiKeyInfo, MemberInfo, Permission, Permissions, Role, Tenant, Viewer};
use crate::store::{error::DbError, scope::TenantScope};
use async_trait::async_trait;

/// An active account as read from the database. Only the store builds one, so
/// holding a `Member` proves the account exists, is active, and has exactly
/// this role and tenant: tenant scopes for requests are built from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub(super) account_id: i64,
    pub(super) email: String,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) tenant: Option<Tenant>,
    pub(super) granted: Permissions,
    pub(super) totp_enabled: bool,
    pub(super) password_temporary: bool,
}

impl Member {
    /// An admin set the password: the member must choose their own before
    /// anything else.
    pub fn password_temporary(&self) -> bool {
        self.password_temporary
    }

    pub fn account_id(&self) -> i64 {
        self.account_id
    }
    pub fn email(&self) -> &str {
        &self.email
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn tenant(&self) -> Option<&Tenant> {
        self.tenant.as_ref()
    }
    pub fn totp_enabled(&self) -> bool {
        self.totp_enabled
    }

    /// Whether the role allows it and it was granted.
    pub fn can(&self, p: Permission) -> bool {
        self.granted.effective(self.role).contains(p)
    }

    /// The tenants this member's reads are limited to: by role, never by
    /// a tenant a staff member or customer happens to belong to.
    pub fn scope(&self) -> TenantScope {
        match (self.role, &self.tenant) {
            (Role::Admin | Role::Auditor, _) => TenantScope::all_tenants(),
            (Role::Partner, Some(t)) => TenantScope::tenant(t.id),
            _ => TenantScope::nothing(),
        }
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            account_id: self.account_id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            tenant: self.tenant.clone(),
            permissions: self.granted.effective(self.role),
            totp_enabled: self.totp_enabled,
        }
    }
}

/// What sign-in needs about an account, active or not.
#[derive(Clone, Debug)]
pub struct SignInRecord {
    pub member: Member,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub tenant_id: Option<i64>,
    pub permissions: Permissions,
    pub password_hash: String,
    pub created_by: Option<i64>,
}

/// An admin's edit of a member: takes effect on the member's next request.
#[derive(Clone, Debug)]
pub struct MemberChange {
    pub name: String,
    pub role: Role,
    pub tenant_id: Option<i64>,
    pub permissions: Permissions,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted, one-time code still owed: grants nothing else.
    AwaitingOtp,
    Full,
}

impl SessionStage {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            SessionStage::AwaitingOtp => "otp",
            SessionStage::Full => "full",
        }
    }
}

/// A live session as read on each request.
#[derive(Clone, Debug)]
pub struct ActiveSession {
    pub stage: SessionStage,
    pub member: Member,
    /// When it was last extended, so callers extend it at most once a minute.
    pub last_seen_at: i64,
    /// When it began: a session ends at an absolute age however busy.
    pub created_at: i64,
}

#[derive(Clone, Debug)]
pub struct NewSession {
    pub token_hash: String,
    pub account_id: i64,
    pub stage: SessionStage,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Failed sign-ins since a moment, for one email and one IP; with the oldest
/// of each so the wait can be stated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailureCounts {
    pub by_email: i64,
    pub oldest_by_email: Option<i64>,
    pub by_ip: i64,
    pub oldest_by_ip: Option<i64>,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn account_count(&self) -> Result<i64, DbError>;

    /// Fails with `DbError::Conflict` when the email is taken.
    async fn create_account(&self, account: &NewAccount) -> Result<i64, DbError>;

    /// Looks an account up by (lower-case) email for sign-in.
    async fn sign_in_record(&self, email: &str) -> Result<Option<SignInRecord>, DbError>;

    /// The account if it exists and is active.
    async fn member(&self, account_id: i64) -> Result<Option<Member>, DbError>;

    async fn list_members(&self) -> Result<Vec<MemberInfo>, DbError>;

    /// One account as the team page shows it, active or not.
    async fn member_info(&self, id: i64) -> Result<Option<MemberInfo>, DbError>;

    async fn update_member(&self, id: i64, change: &MemberChange) -> Result<bool, DbError>;

    /// Deactivating also ends every session of the account.
    async fn set_active(&self, id: i64, active: bool, now: i64) -> Result<bool, DbError>;

    /// Replaces the password hash and ends every session of the account;
    /// `temporary` when an admin chose it (the member must replace it).
    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        temporary: bool,
    ) -> Result<bool, DbError>;

    /// `(enabled secret, pending secret)`.
    async fn totp_secrets(&self, id: i64) -> Result<(Option<String>, Option<String>), DbError>;

    async fn set_totp_pending(&self, id: i64, secret: Option<&str>) -> Result<(), DbError>;

    /// Makes the pending secret the one required at sign-in.
    async fn enable_totp(&self, id: i64) -> Result<(), DbError>;

    async fn disable_totp(&self, id: i64) -> Result<(), DbError>;

    /// Marks one-time-code time step `step` used for the account; false when
    /// it (or a later one) already was, so a code is accepted once only,
    /// even by two requests at the same moment.
    async fn claim_totp_step(&self, id: i64, step: i64) -> Result<bool, DbError>;

    async fn record_sign_in(&self, id: i64, now: i64) -> Result<(), DbError>;

    async fn create_session(&self, session: &NewSession) -> Result<(), DbError>;

    /// The session, if it is unexpired and the account active.
    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<ActiveSession>, DbError>;

    /// Extends an idle session (at most once a minute).
    async fn touch_session(
        &self,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), DbError>;

    /// Counts a one-time-code attempt on the session, before the code is
    /// checked; returns the count so far.
    async fn otp_attempted(&self, token_hash: &str) -> Result<i64, DbError>;

    async fn end_session(&self, token_hash: &str) -> Result<(), DbError>;

    async fn record_sign_in_failure(
        &self,
        email: &str,
        ip: Option<&str>,
        at: i64,
    ) -> Result<(), DbError>;

    async fn sign_in_failures(
        &self,
        email: &str,
        ip: Option<&str>,
        since: i64,
    ) -> Result<FailureCounts, DbError>;

    async fn list_api_keys(&self, scope: &TenantScope) -> Result<Vec<ApiKeyInfo>, DbError>;

    /// Revokes a key visible in the scope; `None` if there is none.
    async fn revoke_api_key(
        &self,
        scope: &TenantScope,
        id: i64,
        now: i64,
    ) -> Result<Option<ApiKeyInfo>, DbError>;
}
