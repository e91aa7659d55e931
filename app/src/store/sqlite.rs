//! The embedded default: one SQLite file in WAL mode, fsync on every commit.

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
    budget::ReadBudget,
    checkpoint::{CheckpointRecord, NewCheckpoint},
    error::DbError,
    export_row::ExportPage,
    integrity::{CheckpointRow, SettingsRow, CHECKPOINT_SELECT, SETTINGS_COLUMNS},
    integrity_sql::sql_integrity_store,
    notes::{NewNote, NoteSummary},
    notes_sql::{note_from_row, sql_note_store, NoteRow},
    query,
    records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt},
    row::EventRow,
    scope::TenantScope,
    sqlite_export,
    tallies_sql::sql_tally_store,
    text_walk,
    views::sql_view_store,
};
use crate::model::{
    ApiKeyInfo, Cursor, Event, EventFilter, MemberInfo, Note, NoteKind, PageRequest, Retention,
    Tenant, TenantSettings,
};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};
use std::{
    str::FromStr,
    time::{Duration, Instant},
};

/// Virtual-machine steps between two looks at a reader's deadline.
const PROGRESS_STEPS: i32 = 10_000;

/// Readers share a pool; writes go through a single connection so writers
/// queue in-process instead of fighting over SQLite's one write lock.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    budget: ReadBudget,
}

impl SqliteStore {
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before we acknowledge it.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-65536");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        // Readers map the file instead of copying pages in with a read call
        // each: long scans (exports) touch every page.
        let budget = ReadBudget::default();
        let clock = budget.clone();
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            // Each time a reader is handed out, its statements get the
            // budget from now: SQLite calls the handler every few thousand
            // steps, and a false answer interrupts the statement.
            .before_acquire(move |conn, _| {
                let deadline = Instant::now() + clock.get();
                Box::pin(async move {
                    conn.lock_handle()
                        .await?
                        .set_progress_handler(PROGRESS_STEPS, move || Instant::now() < deadline);
                    Ok(true)
                })
            })
            .connect_with(options.pragma("mmap_size", "1073741824"))
            .await?;
        Ok(SqliteStore {
            read,
            write,
            budget,
        })
    }

    async fn run_migrations(&self, migrator: sqlx::migrate::Migrator) -> Result<(), DbError> {
        migrator.run(&self.write).await?;
        // Which index serves a filter depends on how many rows each value
        // has (one IP or half the log): on open, analyse what was never
        // analysed or has grown, within SQLite's own time limit.
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// A free-text page read from the words' index newest first (see `text_walk`).
    async fn text_page(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
        tenants: &[i64],
    ) -> Result<Option<Vec<EventRow>>, DbError> {
        text_walk::text_page(tx, scope, filter, page, tenants).await
    }

    /// `PRAGMA optimize`: re-analyses only tables that changed a lot, briefly.
    async fn optimize(&self) -> Result<(), DbError> {
        sqlx::query("PRAGMA optimize").execute(&self.write).await?;
        Ok(())
    }

    /// A read transaction. The scope is enforced by the query itself; SQLite
    /// has no row-level security to tell.
    async fn scoped_read(
        &self,
        _scope: &TenantScope,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, DbError> {
        Ok(self.read.begin().await?)
    }

    /// A write transaction on the single writer; the scope has no wall to tell.
    async fn scoped_write(
        &self,
        _scope: &TenantScope,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, DbError> {
        self.begin_write().await
    }

    /// `BEGIN IMMEDIATE`: the write lock is taken (waiting up to the busy
    /// timeout) before the transaction reads. A deferred transaction that
    /// read first would fail at once with "database is locked" if another
    /// process (an operator command) wrote in between.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, DbError> {
        Ok(self.write.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The readers, for benchmarks that time the store's SQL run directly.
    pub fn read_pool(&self) -> &SqlitePool {
        &self.read
    }

    /// Closes every connection (freeing their page caches) once in-flight
    /// work has finished.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// The single writer connection, for benchmarks that insert on the same schema.
    pub fn write_pool(&self) -> &SqlitePool {
        &self.write
    }
}

// SQLite has one writer (the pool above), so the head read needs no lock clause.
sql_store!(
    SqliteStore,
    sqlx::Sqlite,
    "sqlite",
    "../migrations/sqlite",
    "",
    query::ExportSelect::Rowids,
    sqlite_export::read_by_rowid
);

sql_note_store!(SqliteStore, sqlx::Sqlite);

sql_tally_store!(SqliteStore, sqlx::Sqlite);

sql_view_store!(SqliteStore);

sql_alert_store!(SqliteStore, sqlx::Sqlite);

sql_account_store!(SqliteStore, sqlx::Sqlite);

sql_integrity_store!(
    SqliteStore,
    sqlx::Sqlite,
    "UPDATE retention_guard SET active = 1 WHERE id = 1",
    "UPDATE retention_guard SET active = 0 WHERE id = 1"
);
