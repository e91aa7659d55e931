//! PostgreSQL, for scale: several stateless app servers may share one database.

use super::budget::ReadBudget;
use super::{
    account_rows::{
        AccountRow, ApiKeyInfoRow, SessionRow, ACCOUNT_COLUMNS, ACCOUNT_FROM, API_KEY_INFO_SELECT,
    },
    accounts::{
        ActiveSession, FailureCounts, Member, MemberChange, NewAccount, NewSession, SessionStage,
        SignInRecord,
    },
    accounts_sql::sql_account_store,
    alerts_sql::sql_alert_store,
    backend::{sql_store, TenantRow},
    checkpoint::{CheckpointRecord, NewCheckpoint},
    error::DbError,
    export_row::{self, ExportPage},
    integrity::{CheckpointRow, SettingsRow, CHECKPOINT_SELECT, SETTINGS_COLUMNS},
    integrity_sql::sql_integrity_store,
    notes::{NewNote, NoteSummary},
    notes_sql::{note_from_row, sql_note_store, NoteRow},
    query,
    records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt},
    row::EventRow,
    scope::TenantScope,
    tallies_sql::sql_tally_store,
    views::sql_view_store,
};
use crate::model::{
    ApiKeyInfo, Cursor, Event, EventFilter, MemberInfo, Note, NoteKind, PageRequest, Retention,
    Tenant, TenantSettings,
};
use sqlx::{postgres::PgPoolOptions, Connection, Executor, PgConnection, PgPool};

/// Every pooled connection acts as `logbook_app` when that role exists (the
/// migrations create it): a role that may not UPDATE events, and that
/// row-level security limits to the tenants a transaction names.
const ASSUME_APP_ROLE: &str = "DO $$ BEGIN \
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'logbook_app') \
       AND pg_has_role(current_user, 'logbook_app', 'MEMBER') THEN \
        SET ROLE logbook_app; \
    END IF; \
END $$";

#[derive(Clone, Debug)]
pub struct PgStore {
    read: PgPool,
    write: PgPool,
    budget: ReadBudget,
    /// Migrations run as the login role (the owner), not as `logbook_app`.
    url: String,
}

impl PgStore {
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(ASSUME_APP_ROLE).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(PgStore {
            budget: ReadBudget::default(),
            read: pool.clone(),
            write: pool,
            url: url.to_string(),
        })
    }

    /// The application's pool (acting as `logbook_app`).
    pub fn pool(&self) -> &PgPool {
        &self.write
    }

    /// A connection as the login role, which owns the tables: for migrations,
    /// and for tests that play an attacker with owner rights.
    pub async fn owner_connection(&self) -> Result<PgConnection, DbError> {
        Ok(PgConnection::connect(&self.url).await?)
    }

    async fn run_migrations(&self, migrator: sqlx::migrate::Migrator) -> Result<(), DbError> {
        let mut conn = self.owner_connection().await?;
        migrator.run_direct(&mut conn).await?;
        conn.close().await?;
        Ok(())
    }

    /// Its GIN index answers free text inside the one query.
    async fn text_page(
        &self,
        _tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
        _scope: &TenantScope,
        _filter: &EventFilter,
        _page: &PageRequest,
        _tenants: &[i64],
    ) -> Result<Option<Vec<EventRow>>, DbError> {
        Ok(None)
    }

    /// PostgreSQL's autovacuum keeps the planner's statistics fresh.
    async fn optimize(&self) -> Result<(), DbError> {
        Ok(())
    }

    /// A read transaction that tells row-level security its tenant scope, so
    /// a query that forgot its tenant condition still returns nothing foreign.
    async fn scoped_read(
        &self,
        scope: &TenantScope,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, DbError> {
        let mut tx = self.in_scope(scope).await?;
        sqlx::query("SELECT set_config('statement_timeout', $1, true)")
            .bind(self.budget.get().as_millis().to_string())
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// A transaction that tells row-level security its tenant scope.
    async fn in_scope(
        &self,
        scope: &TenantScope,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, DbError> {
        let mut tx = self.read.begin().await?;
        sqlx::query("SELECT set_config('logbook.scope', $1, true)")
            .bind(scope.rls_setting())
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, DbError> {
        Ok(self.write.begin().await?)
    }

    /// A write transaction in the scope, so that row-level security lets an
    /// `INSERT … RETURNING` read back the row it wrote.
    async fn scoped_write(
        &self,
        scope: &TenantScope,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, DbError> {
        self.in_scope(scope).await
    }
}

// Several servers may append for one tenant at once: lock its chain head row.
sql_store!(
    PgStore,
    sqlx::Postgres,
    "postgres",
    "../migrations/postgres",
    " FOR UPDATE",
    query::ExportSelect::Packed,
    export_row::packed_page
);

sql_note_store!(PgStore, sqlx::Postgres);

sql_tally_store!(PgStore, sqlx::Postgres);

sql_view_store!(PgStore);

sql_alert_store!(PgStore, sqlx::Postgres);

sql_account_store!(PgStore, sqlx::Postgres);

sql_integrity_store!(
    PgStore,
    sqlx::Postgres,
    "SELECT set_config('logbook.retention_job', 'on', true), set_config('logbook.scope', '*', true)",
    "SELECT set_config('logbook.retention_job', 'off', true)"
);
