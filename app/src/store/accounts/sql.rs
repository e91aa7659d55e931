//! Accounts on either backend: one SQL text for both.

use crate::model::{ApiKeyInfo, MemberInfo};
use crate::store::{
    accounts::{
        api::{
            AccountStore, ActiveSession, FailureCounts, Member, MemberChange, NewAccount,
            NewSession, SessionStage, SignInRecord,
        },
        rows::{
            AccountRow, ApiKeyInfoRow, SessionRow, ACCOUNT_COLUMNS, ACCOUNT_FROM,
            API_KEY_INFO_SELECT,
        },
    },
    backend::Backend,
    error::DbError,
    scope::TenantScope,
    sql::{Scalar, Sql},
};
use async_trait::async_trait;

#[async_trait]
impl<B: Backend> AccountStore for B {
    async fn account_count(&self) -> Result<i64, DbError> {
        Scalar::new("SELECT COUNT(*) FROM accounts")
            .fetch_one(self.read())
            .await
    }

    #[tracing::instrument(skip(self, account), fields(email = %account.email))]
    async fn create_account(&self, account: &NewAccount) -> Result<i64, DbError> {
        Scalar::new(
            "INSERT INTO accounts (email, name, role, tenant_id, permissions, password_hash, \
                     created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&account.email)
        .bind(&account.name)
        .bind(account.role.as_str())
        .bind(account.tenant_id)
        .bind(account.permissions.to_db())
        .bind(&account.password_hash)
        .bind(chrono::Utc::now().timestamp_micros())
        .bind(account.created_by)
        .fetch_one(self.write())
        .await
        .map_err(|e| DbError::conflict_or(e, "an account with this email already exists"))
    }

    async fn sign_in_record(&self, email: &str) -> Result<Option<SignInRecord>, DbError> {
        let row: Option<AccountRow> = Sql::new(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE a.email = $1"
        ))
        .bind(email)
        .fetch_optional(self.read())
        .await?;
        row.map(AccountRow::sign_in_record).transpose()
    }

    async fn member(&self, account_id: i64) -> Result<Option<Member>, DbError> {
        let row: Option<AccountRow> = Sql::new(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} \
                     WHERE a.id = $1 AND a.deactivated_at IS NULL"
        ))
        .bind(account_id)
        .fetch_optional(self.read())
        .await?;
        row.map(|r| r.member()).transpose()
    }

    async fn list_members(&self) -> Result<Vec<MemberInfo>, DbError> {
        let rows: Vec<AccountRow> = Sql::new(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} ORDER BY a.email"
        ))
        .fetch_all(self.read())
        .await?;
        rows.into_iter().map(AccountRow::info).collect()
    }

    async fn member_info(&self, id: i64) -> Result<Option<MemberInfo>, DbError> {
        let row: Option<AccountRow> = Sql::new(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM {ACCOUNT_FROM} WHERE a.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.read())
        .await?;
        row.map(AccountRow::info).transpose()
    }

    async fn update_member(&self, id: i64, change: &MemberChange) -> Result<bool, DbError> {
        let done = Sql::new(
            "UPDATE accounts SET name = $1, role = $2, tenant_id = $3, permissions = $4 \
                     WHERE id = $5",
        )
        .bind(&change.name)
        .bind(change.role.as_str())
        .bind(change.tenant_id)
        .bind(change.permissions.to_db())
        .bind(id)
        .execute(self.write())
        .await?;
        Ok(done == 1)
    }

    async fn set_active(&self, id: i64, active: bool, now: i64) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let done = Sql::new("UPDATE accounts SET deactivated_at = $1 WHERE id = $2")
            .bind(if active { None } else { Some(now) })
            .bind(id)
            .execute(&mut tx)
            .await?;
        if !active {
            Sql::new("DELETE FROM sessions WHERE account_id = $1")
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        Ok(done == 1)
    }

    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        temporary: bool,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let done = Sql::new(
            "UPDATE accounts SET password_hash = $1, password_temporary = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(temporary)
        .bind(id)
        .execute(&mut tx)
        .await?;
        Sql::new("DELETE FROM sessions WHERE account_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(done == 1)
    }

    async fn totp_secrets(&self, id: i64) -> Result<(Option<String>, Option<String>), DbError> {
        Ok(
            Sql::new("SELECT totp_secret, totp_pending_secret FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(self.read())
                .await?
                .unwrap_or((None, None)),
        )
    }

    async fn set_totp_pending(&self, id: i64, secret: Option<&str>) -> Result<(), DbError> {
        Sql::new("UPDATE accounts SET totp_pending_secret = $1 WHERE id = $2")
            .bind(secret)
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    async fn enable_totp(&self, id: i64) -> Result<(), DbError> {
        Sql::new(
            "UPDATE accounts SET totp_secret = totp_pending_secret, \
                     totp_pending_secret = NULL WHERE id = $1 AND totp_pending_secret IS NOT NULL",
        )
        .bind(id)
        .execute(self.write())
        .await?;
        Ok(())
    }

    async fn disable_totp(&self, id: i64) -> Result<(), DbError> {
        Sql::new(
            "UPDATE accounts SET totp_secret = NULL, totp_pending_secret = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(self.write())
        .await?;
        Ok(())
    }

    async fn claim_totp_step(&self, id: i64, step: i64) -> Result<bool, DbError> {
        let done = Sql::new(
            "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 \
                     AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id)
        .execute(self.write())
        .await?;
        Ok(done == 1)
    }

    async fn record_sign_in(&self, id: i64, now: i64) -> Result<(), DbError> {
        Sql::new("UPDATE accounts SET last_sign_in_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    async fn create_session(&self, s: &NewSession) -> Result<(), DbError> {
        Sql::new(
            "INSERT INTO sessions (token_hash, account_id, stage, created_at, last_seen_at, \
                     expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        )
        .bind(&s.token_hash)
        .bind(s.account_id)
        .bind(s.stage.as_str())
        .bind(s.now)
        .bind(s.expires_at)
        .bind(&s.ip)
        .bind(&s.user_agent)
        .execute(self.write())
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<ActiveSession>, DbError> {
        let row: Option<SessionRow> = Sql::new(format!(
                    "SELECT s.stage, s.last_seen_at, s.created_at, {ACCOUNT_COLUMNS} FROM sessions s \
                     JOIN accounts a ON a.id = s.account_id LEFT JOIN tenants t ON t.id = a.tenant_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.deactivated_at IS NULL"
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(self.read())
                .await?;
        let Some(row) = row else { return Ok(None) };
        let stage = match row.stage.as_str() {
            "full" => SessionStage::Full,
            _ => SessionStage::AwaitingOtp,
        };
        Ok(Some(ActiveSession {
            stage,
            member: row.account.member()?,
            last_seen_at: row.last_seen_at,
            created_at: row.created_at,
        }))
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), DbError> {
        Sql::new(
            "UPDATE sessions SET last_seen_at = $1, expires_at = $2 \
                     WHERE token_hash = $3 AND last_seen_at < $4",
        )
        .bind(now)
        .bind(expires_at)
        .bind(token_hash)
        .bind(now - 60_000_000)
        .execute(self.write())
        .await?;
        Ok(())
    }

    async fn otp_attempted(&self, token_hash: &str) -> Result<i64, DbError> {
        Ok(Scalar::new(
            "UPDATE sessions SET otp_failures = otp_failures + 1 WHERE token_hash = $1 \
                     RETURNING otp_failures",
        )
        .bind(token_hash)
        .fetch_optional(self.write())
        .await?
        .unwrap_or(i64::MAX))
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), DbError> {
        Sql::new("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.write())
            .await?;
        Ok(())
    }

    async fn record_sign_in_failure(
        &self,
        email: &str,
        ip: Option<&str>,
        at: i64,
    ) -> Result<(), DbError> {
        Sql::new("INSERT INTO sign_in_failures (email, ip, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(ip)
            .bind(at)
            .execute(self.write())
            .await?;
        Ok(())
    }

    async fn sign_in_failures(
        &self,
        email: &str,
        ip: Option<&str>,
        since: i64,
    ) -> Result<FailureCounts, DbError> {
        let (by_email, oldest_by_email): (i64, Option<i64>) =
            Sql::new("SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE email = $1 AND at > $2")
                .bind(email)
                .bind(since)
                .fetch_one(self.read())
                .await?;
        let (by_ip, oldest_by_ip): (i64, Option<i64>) =
            Sql::new("SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE ip = $1 AND at > $2")
                .bind(ip)
                .bind(since)
                .fetch_one(self.read())
                .await?;
        Ok(FailureCounts {
            by_email,
            oldest_by_email,
            by_ip,
            oldest_by_ip,
        })
    }

    async fn list_api_keys(&self, scope: &TenantScope) -> Result<Vec<ApiKeyInfo>, DbError> {
        let mut qb = Sql::new(API_KEY_INFO_SELECT);
        scope.push_sql(&mut qb, "k.tenant_id");
        qb.push(" ORDER BY k.created_at DESC, k.id DESC");
        let rows: Vec<ApiKeyInfoRow> = qb.fetch_all(self.read()).await?;
        Ok(rows.into_iter().map(ApiKeyInfo::from).collect())
    }

    async fn revoke_api_key(
        &self,
        scope: &TenantScope,
        id: i64,
        now: i64,
    ) -> Result<Option<ApiKeyInfo>, DbError> {
        let mut qb = Sql::new("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ");
        qb.push_bind(now).push(") WHERE id = ").push_bind(id);
        scope.push_sql(&mut qb, "tenant_id");
        if qb.execute(self.write()).await? == 0 {
            return Ok(None);
        }
        let mut qb = Sql::new(API_KEY_INFO_SELECT);
        qb.push(" AND k.id = ").push_bind(id);
        let row: Option<ApiKeyInfoRow> = qb.fetch_optional(self.write()).await?;
        Ok(row.map(ApiKeyInfo::from))
    }
}
