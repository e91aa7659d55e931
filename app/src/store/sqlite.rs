//! The embedded default: one SQLite file in WAL mode, fsync on every commit.

use super::{
    backend::{sql_store, TenantRow},
    error::DbError,
    query,
    records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt},
    row::EventRow,
    scope::TenantScope,
};
use crate::model::{Event, EventFilter, PageRequest, Tenant};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};
use std::{str::FromStr, time::Duration};

/// Readers share a pool; writes go through a single connection so writers
/// queue in-process instead of fighting over SQLite's one write lock.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
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
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { read, write })
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
    ""
);
