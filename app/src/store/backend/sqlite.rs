//! The embedded default: one SQLite file in WAL mode, fsync on every commit.

use super::{sqlite_export, sqlite_text, Backend, Dialect, ReadBudget, Tx};
use crate::model::{Cursor, EventFilter, PageRequest};
use crate::store::{
    error::DbError,
    events::{query, Committer, EventRow, ExportPage, Splits},
    partitions::PartitionInterval,
    scope::TenantScope,
    sql::{Arg, FromRows, Sql},
};
use async_trait::async_trait;
use sqlx::{
    query::Query,
    sqlite::{
        SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
        SqliteSynchronous,
    },
    Connection, Pool, Sqlite, SqliteConnection, SqlitePool, TransactionManager,
};
use std::{
    str::FromStr,
    time::{Duration, Instant},
};

/// Page cache sizes in KiB (negative: SQLite's unit for "in KiB").
const WRITER_CACHE_KIB: &str = "-65536";
const READER_CACHE_KIB: &str = "-8192";

/// Virtual-machine steps between two looks at a reader's deadline.
const PROGRESS_STEPS: i32 = 10_000;

/// Readers share a pool; writes go through a single connection so writers
/// queue in-process instead of fighting over SQLite's one write lock.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
    budget: ReadBudget,
    committer: Committer,
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
            .busy_timeout(Duration::from_secs(10));
        // Every connection maps the file instead of copying pages in with a
        // read call each: readers for long scans (exports) that touch every
        // page; the writer for the index pages each insert lands on, which
        // outgrow its cache as the log grows (batches of 1,000 fell from
        // 14,000 to 5,000 events/s past 1 GB, half the time in the kernel).
        let options = options.pragma("mmap_size", "1073741824");
        // SQLite's page cache is heap memory held for the life of each
        // connection. The one writer keeps a large one: the index pages
        // every insert lands on stay hot. Readers keep a small one each:
        // their pages come from the mapping (up to `mmap_size`) and past
        // it from the kernel's page cache, which is shared and can be
        // given back; eight 64 MiB caches let the server's own memory
        // climb by half a gigabyte as the file grew past the mapping.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            // When a commit fails for a full disk, SQLite has already rolled
            // the transaction back, so sqlx's own ROLLBACK fails and it
            // counts the transaction as still open: every later BEGIN would
            // be refused until a restart. Such a writer is closed instead,
            // and the next write opens a fresh one.
            .after_release(|conn, _| {
                Box::pin(async move {
                    let depth =
                        <Sqlite as sqlx::Database>::TransactionManager::get_transaction_depth;
                    // A committed group leaves depth 0: no round trip on
                    // the hot path. Otherwise let the queued ROLLBACK run
                    // first, then look again.
                    if depth(conn) == 0 {
                        return Ok(true);
                    }
                    conn.ping().await?;
                    Ok(depth(conn) == 0)
                })
            })
            .connect_with(options.clone().pragma("cache_size", WRITER_CACHE_KIB))
            .await?;
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
            .connect_with(options.pragma("cache_size", READER_CACHE_KIB))
            .await?;
        Ok(SqliteStore {
            committer: Committer::start::<SqliteStore>(write.clone()),
            read,
            write,
            budget,
        })
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

#[async_trait]
impl Dialect for Sqlite {
    const EXPLAIN: &'static str = "EXPLAIN QUERY PLAN ";

    /// `?`: SQLite numbers it after every earlier one. Not `$n`: a named
    /// parameter is looked up by a linear scan on every bind, and an
    /// INSERT of 400 events has 10,800 of them (ingest ran at a third).
    fn push_placeholder(text: &mut String, _n: usize) {
        text.push('?');
    }

    fn push_match(sql: &mut Sql<Self>, phrases: &[Vec<String>], tenant: Option<i64>) {
        use crate::store::events::text_search::{fts5_query, FTS_KEY_BITS};
        sql.push(format!(
            " AND (e.tenant_id, e.seq) IN (SELECT rowid >> {FTS_KEY_BITS}, \
             rowid & {} FROM events_fts WHERE events_fts MATCH ",
            (1_i64 << FTS_KEY_BITS) - 1
        ));
        sql.push_bind(fts5_query(phrases));
        if let Some(id) = tenant {
            sql.push(" AND rowid >= ").push_bind(id << FTS_KEY_BITS);
            sql.push(" AND rowid < ")
                .push_bind((id + 1) << FTS_KEY_BITS);
        }
        sql.push(")");
    }

    async fn execute(conn: &mut SqliteConnection, sql: &Sql<Self>) -> Result<u64, DbError> {
        Ok(bound(sql).execute(conn).await?.rows_affected())
    }

    async fn fetch_all<R: FromRows>(
        conn: &mut SqliteConnection,
        sql: &Sql<Self>,
    ) -> Result<Vec<R>, DbError> {
        Ok(bound(sql)
            .try_map(|row: SqliteRow| R::from_row(&row))
            .fetch_all(conn)
            .await?)
    }

    async fn fetch_optional<R: FromRows>(
        conn: &mut SqliteConnection,
        sql: &Sql<Self>,
    ) -> Result<Option<R>, DbError> {
        Ok(bound(sql)
            .try_map(|row: SqliteRow| R::from_row(&row))
            .fetch_optional(conn)
            .await?)
    }
}

impl Sql<Sqlite> {
    /// The statement as sqlx's own query, for the benchmark to run on a
    /// bare connection with its rows undecoded.
    pub fn to_sqlx(&self) -> Query<'_, Sqlite, SqliteArguments<'_>> {
        bound(self)
    }
}

/// The statement with its values bound; text borrowed, not copied.
fn bound(sql: &Sql<Sqlite>) -> Query<'_, Sqlite, SqliteArguments<'_>> {
    sql.args()
        .iter()
        .fold(sqlx::query(sql.text()), |q, arg| match arg {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) | Arg::Json(v) => q.bind(v.as_deref()),
            Arg::Bool(v) => q.bind(*v),
            Arg::Bytes(v) => q.bind(v.as_slice()),
        })
}

#[async_trait]
impl Backend for SqliteStore {
    type Db = Sqlite;
    const NAME: &'static str = "sqlite";
    /// One writer connection: appends already queue in-process.
    const HEAD_LOCK: &'static str = "";
    const SET_UP_CHECKS: &'static [(&'static str, &'static str)] = &[];

    fn read(&self) -> &Pool<Sqlite> {
        &self.read
    }

    fn write(&self) -> &Pool<Sqlite> {
        &self.write
    }

    fn budget(&self) -> &ReadBudget {
        &self.budget
    }

    fn partition_interval(&self) -> Option<PartitionInterval> {
        None
    }

    async fn migrate(&self) -> Result<(), DbError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.write)
            .await?;
        let mut tx = self.write.begin().await?;
        crate::store::events::user_agents::fill_digests::<Self>(&mut tx).await?;
        tx.commit().await?;
        // Which index serves a filter depends on how many rows each value
        // has (one IP or half the log): on open, analyse what was never
        // analysed or has grown, within SQLite's own time limit.
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// A read transaction. The scope is enforced by the query itself; SQLite
    /// has no row-level security to tell.
    async fn scoped_read(&self, _scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        Ok(self.read.begin().await?)
    }

    /// The readers see every commit at once: no replica to prefer.
    async fn scoped_report(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        self.scoped_read(scope).await
    }

    /// A write transaction on the single writer; the scope has no wall to tell.
    async fn scoped_write(&self, _scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        self.begin_write().await
    }

    /// `BEGIN IMMEDIATE`: the write lock is taken (waiting up to the busy
    /// timeout) before the transaction reads. A deferred transaction that
    /// read first would fail at once with "database is locked" if another
    /// process (an operator command) wrote in between.
    async fn begin_write(&self) -> Result<Tx<Self>, DbError> {
        Self::begin_group(&self.write).await
    }

    fn committer(&self) -> &Committer {
        &self.committer
    }

    async fn begin_group(pool: &Pool<Sqlite>) -> Result<Tx<Self>, DbError> {
        Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The scope is in each statement's own tenant condition.
    async fn enter_scope(_tx: &mut Tx<Self>, _scope: &TenantScope) -> Result<(), DbError> {
        Ok(())
    }

    /// The events' DELETE trigger refuses unless this row says retention runs.
    async fn guard_retention(tx: &mut Tx<Self>, on: bool) -> Result<(), DbError> {
        sqlx::query("UPDATE retention_guard SET active = $1 WHERE id = 1")
            .bind(i64::from(on))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// A free-text page read from the words' index newest first (see `sqlite_text`).
    async fn text_page(
        tx: &mut Tx<Self>,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
        tenants: &[i64],
    ) -> Result<Option<Vec<EventRow>>, DbError> {
        sqlite_text::text_page(tx, scope, filter, page, tenants).await
    }

    /// The page's rowids from the shared filter SQL, then the rows read
    /// through SQLite's C interface (see `sqlite_export`).
    async fn export_page(
        tx: &mut Tx<Self>,
        scope: &TenantScope,
        filter: &EventFilter,
        below: Option<Cursor>,
        limit: u32,
        splits: &Splits,
    ) -> Result<ExportPage, DbError> {
        let select = query::ExportSelect::Rowids;
        let (rowids, rows): (Option<String>, i64) =
            query::select_export_page(select, scope, filter, &below, limit, splits)
                .fetch_one(&mut *tx)
                .await?;
        sqlite_export::read_by_rowid(tx, rowids, rows, below).await
    }

    /// `PRAGMA optimize`: re-analyses only tables that changed a lot, briefly.
    async fn refresh_statistics(&self) -> Result<(), DbError> {
        sqlx::query("PRAGMA optimize").execute(&self.write).await?;
        Ok(())
    }
}

impl super::sealed::Sealed for SqliteStore {}
impl super::sealed::Sealed for Sqlite {}
