//! The backend contract: what SQLite and PostgreSQL each provide, written
//! down once. Every store method is a plain function generic over
//! `B: Backend` in its capability folder (`events`, `chain`, `tallies`,
//! `alerts`, `accounts`, `notes`, `views`, `tenants`); the SQL is the same
//! text for both (`$N` placeholders work in SQLite too). What differs is
//! only what the two traits below list:
//!
//! | | SQLite (`backend/sqlite.rs`) | PostgreSQL (`backend/postgres.rs`) |
//! |---|---|---|
//! | pools | readers (8) and one writer connection | one pool, acting as `logbook_app` |
//! | scoped transactions | the query's own tenant condition | also row-level security (`logbook.scope`) |
//! | write transaction | `BEGIN IMMEDIATE` on the writer | plain `BEGIN` |
//! | grouped appends | one committer on the one writer | one committer per instance |
//! | chain-head lock | none (one writer) | `FOR UPDATE` on the tenant row |
//! | read budget | progress handler per reader | `statement_timeout` per transaction |
//! | migrations | `migrations/sqlite`, then `PRAGMA optimize` | `migrations/postgres`, as the owner |
//! | retention guard | a row the DELETE trigger reads | transaction-local settings |
//! | full text | FTS5, walked newest first (`sqlite_text`) | a GIN-indexed tsvector |
//! | export page | rowids, read through SQLite's C API | rows packed as JSON text |
//! | statistics | `PRAGMA optimize` | autovacuum |
//! | events table | one table | partitioned by time received, as ids (`partitions`) |
//! | reports' reads | the readers | a replica when `DATABASE_READ_URL` is set |
//!
//! Both traits are sealed: nothing outside the store can add a backend.

mod budget;
mod postgres;
mod sqlite;
mod sqlite_export;
mod sqlite_text;

pub(crate) use budget::is_timeout;
pub use budget::ReadBudget;
pub use postgres::{PgOptions, PgStore};
pub use sqlite::SqliteStore;
pub use sqlite_text::text_page as sqlite_text_page;

use super::{
    error::DbError,
    events::{Committer, EventRow, ExportPage, Splits},
    partitions::PartitionInterval,
    scope::TenantScope,
    sql::{FromRows, Sql},
};
use crate::model::{Cursor, EventFilter, PageRequest};
use async_trait::async_trait;
use sqlx::{Database, Pool, Transaction};

pub(crate) mod sealed {
    /// Implemented only by the two backends and their databases.
    pub trait Sealed {}
}

/// A transaction on backend `B`'s database.
pub type Tx<B> = Transaction<'static, <B as Backend>::Db>;

/// How one database binds and runs a [`Sql`] statement, and the SQL text
/// that differs between them. Implemented for `sqlx::Sqlite` and
/// `sqlx::Postgres`.
#[async_trait]
pub trait Dialect: Database + sealed::Sealed {
    /// Put before a statement to have its plan instead of its rows.
    const EXPLAIN: &'static str;

    /// Appends the placeholder of the `n`th bound value (1-based).
    fn push_placeholder(text: &mut String, n: usize);

    /// ` AND …` keeping the events that match every phrase, of one tenant
    /// when `tenant` is known (see `events::text_search`).
    fn push_match(sql: &mut Sql<Self>, phrases: &[Vec<String>], tenant: Option<i64>);

    /// Runs `sql`; how many rows it changed.
    async fn execute(conn: &mut Self::Connection, sql: &Sql<Self>) -> Result<u64, DbError>;

    async fn fetch_all<R: FromRows>(
        conn: &mut Self::Connection,
        sql: &Sql<Self>,
    ) -> Result<Vec<R>, DbError>;

    async fn fetch_optional<R: FromRows>(
        conn: &mut Self::Connection,
        sql: &Sql<Self>,
    ) -> Result<Option<R>, DbError>;
}

/// What a store on one database provides (see the table above).
#[async_trait]
pub trait Backend: sealed::Sealed + Send + Sync + 'static {
    type Db: Dialect;

    /// `"sqlite"` or `"postgres"`.
    const NAME: &'static str;

    /// Appended to the read of a tenant's chain head in `append`: how
    /// concurrent appends for one tenant queue so the chain never forks.
    const HEAD_LOCK: &'static str;

    /// What the database's set-up must give for reads to be fast: each a
    /// query answering true when it does, and what to tell the operator
    /// when it does not (`Store::set_up_warnings`).
    const SET_UP_CHECKS: &'static [(&'static str, &'static str)];

    /// The pool reads run on.
    fn read(&self) -> &Pool<Self::Db>;

    /// The pool writes run on.
    fn write(&self) -> &Pool<Self::Db>;

    /// How long one read may run.
    fn budget(&self) -> &ReadBudget;

    /// The span of one events partition, or `None` where events are one
    /// table (SQLite).
    fn partition_interval(&self) -> Option<PartitionInterval>;

    /// Applies pending migrations.
    async fn migrate(&self) -> Result<(), DbError>;

    /// A read transaction limited to `scope` (and to the read budget).
    async fn scoped_read(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError>;

    /// A read transaction limited to `scope` for what may lag a moment
    /// behind the writes: table pages, analytics and exports. On a replica
    /// when one is configured; `scoped_read` otherwise.
    async fn scoped_report(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError>;

    /// A write transaction limited to `scope`, which may read back what it wrote.
    async fn scoped_write(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError>;

    /// A write transaction holding the database's write lock from its start.
    async fn begin_write(&self) -> Result<Tx<Self>, DbError>;

    /// The writer of grouped appends (see `events::committer`).
    fn committer(&self) -> &Committer;

    /// A write transaction on `pool` (this backend's writer pool) in which
    /// the committer applies one group of appends, one tenant after another.
    async fn begin_group(pool: &Pool<Self::Db>) -> Result<Tx<Self>, DbError>;

    /// Limits the statements that follow in `tx` to `scope`.
    async fn enter_scope(tx: &mut Tx<Self>, scope: &TenantScope) -> Result<(), DbError>;

    /// Raises (`on`) or lowers the guard that lets retention delete events,
    /// inside the retention job's transaction.
    async fn guard_retention(tx: &mut Tx<Self>, on: bool) -> Result<(), DbError>;

    /// A free-text page read this backend's own way, or `None` to use the
    /// shared query (see `sqlite_text`).
    async fn text_page(
        tx: &mut Tx<Self>,
        scope: &TenantScope,
        filter: &EventFilter,
        page: &PageRequest,
        tenants: &[i64],
    ) -> Result<Option<Vec<EventRow>>, DbError>;

    /// Up to `limit` events for export, newest first, below `page`'s cursor.
    async fn export_page(
        tx: &mut Tx<Self>,
        scope: &TenantScope,
        filter: &EventFilter,
        below: Option<Cursor>,
        limit: u32,
        splits: &Splits,
    ) -> Result<ExportPage, DbError>;

    /// Brings the planner's statistics up to date where data moved.
    async fn refresh_statistics(&self) -> Result<(), DbError>;
}
