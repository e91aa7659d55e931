//! PostgreSQL, for scale: several stateless app servers may share one database.

use super::{Backend, Dialect, ReadBudget, Tx};
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
    encode::IsNull,
    error::BoxDynError,
    postgres::{PgArgumentBuffer, PgArguments, PgPoolOptions, PgRow, PgTypeInfo},
    query::Query,
    types::Json,
    Connection, Encode, Executor, PgConnection, PgPool, Pool, Postgres, Type,
};

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
    /// Table pages, analytics and exports: a streaming replica's pool when
    /// one is configured, the primary's otherwise.
    report: PgPool,
    budget: ReadBudget,
    committer: Committer,
    partitions: PartitionInterval,
    /// Migrations run as the login role (the owner), not as `logbook_app`.
    url: String,
}

/// How a PostgreSQL store is laid out beyond its URL.
#[derive(Clone, Debug, Default)]
pub struct PgOptions {
    /// A streaming replica of the database, for reads that may lag.
    pub read_url: Option<String>,
    /// The span of one events partition.
    pub partitions: PartitionInterval,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_with(url, PgOptions::default()).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn connect_with(url: &str, options: PgOptions) -> Result<Self, DbError> {
        let pool = app_pool(url).await?;
        let report = match &options.read_url {
            Some(read_url) => app_pool(read_url).await?,
            None => pool.clone(),
        };
        Ok(PgStore {
            committer: Committer::start::<PgStore>(pool.clone()),
            budget: ReadBudget::default(),
            read: pool.clone(),
            write: pool,
            report,
            partitions: options.partitions,
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

    /// A transaction on `pool` that tells row-level security its tenant scope.
    async fn in_scope(pool: &PgPool, scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        let mut tx = pool.begin().await?;
        Self::enter_scope(&mut tx, scope).await?;
        Ok(tx)
    }

    /// A scoped read on `pool`, stopped by the database past the read budget.
    /// Without parallel workers: across partitions, the planner took a
    /// parallel scan and a sort over reading each partition's index in
    /// order for a page's 50 rows (6 s instead of 3 ms at 10,000,000 events).
    async fn budgeted(&self, pool: &PgPool, scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        let mut tx = Self::in_scope(pool, scope).await?;
        sqlx::query(
            "SELECT set_config('statement_timeout', $1, true), \
             set_config('max_parallel_workers_per_gather', '0', true)",
        )
        .bind(self.budget.get().as_millis().to_string())
        .execute(&mut *tx)
        .await?;
        Ok(tx)
    }
}

/// The longest a request waits for a connection.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// A pool whose connections act as `logbook_app`.
async fn app_pool(url: &str) -> Result<PgPool, DbError> {
    Ok(PgPoolOptions::new()
        .max_connections(16)
        // While PostgreSQL is down, sqlx retries a refused connection until
        // this runs out: a request then waits this long, not its default
        // 30 s, before it is answered 503 with a Retry-After.
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(ASSUME_APP_ROLE).await?;
                Ok(())
            })
        })
        .connect(url)
        .await?)
}

#[async_trait]
impl Dialect for Postgres {
    const EXPLAIN: &'static str = "EXPLAIN ";

    fn push_placeholder(text: &mut String, n: usize) {
        text.push('$');
        text.push_str(&n.to_string());
    }

    fn push_match(sql: &mut Sql<Self>, phrases: &[Vec<String>], _tenant: Option<i64>) {
        use crate::store::events::text_search::tsquery;
        sql.push(" AND e.search @@ to_tsquery('simple', ");
        sql.push_bind(tsquery(phrases)).push(")");
    }

    async fn execute(conn: &mut PgConnection, sql: &Sql<Self>) -> Result<u64, DbError> {
        Ok(bound(sql).execute(conn).await?.rows_affected())
    }

    async fn fetch_all<R: FromRows>(
        conn: &mut PgConnection,
        sql: &Sql<Self>,
    ) -> Result<Vec<R>, DbError> {
        Ok(bound(sql)
            .try_map(|row: PgRow| R::from_row(&row))
            .fetch_all(conn)
            .await?)
    }

    async fn fetch_optional<R: FromRows>(
        conn: &mut PgConnection,
        sql: &Sql<Self>,
    ) -> Result<Option<R>, DbError> {
        Ok(bound(sql)
            .try_map(|row: PgRow| R::from_row(&row))
            .fetch_optional(conn)
            .await?)
    }
}

/// The statement with its values bound, each as the type its column has.
fn bound(sql: &Sql<Postgres>) -> Query<'_, Postgres, PgArguments> {
    sql.args()
        .iter()
        .fold(sqlx::query(sql.text()), |q, arg| match arg {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_deref()),
            Arg::Json(v) => q.bind(v.as_deref().map(Jsonb)),
            Arg::Bool(v) => q.bind(*v),
            Arg::Bytes(v) => q.bind(v.as_slice()),
        })
}

/// Serialised JSON sent as JSONB as it is, without parsing it again.
struct Jsonb<'a>(&'a str);

impl Type<Postgres> for Jsonb<'_> {
    fn type_info() -> PgTypeInfo {
        <Json<()> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Jsonb<'_> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        // JSONB's binary format: a version byte, then the JSON text.
        buf.push(1);
        buf.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
}

#[async_trait]
impl Backend for PgStore {
    type Db = Postgres;
    const NAME: &'static str = "postgres";
    /// Several servers may append for one tenant at once: lock its chain head row.
    const HEAD_LOCK: &'static str = " FOR UPDATE";
    /// Migration 0028 marks the text match LEAKPROOF when it runs as a
    /// superuser; without it, row-level security keeps search off its index.
    const SET_UP_CHECKS: &'static [(&'static str, &'static str)] = &[(
        "SELECT proleakproof FROM pg_proc \
         WHERE oid = 'pg_catalog.ts_match_vq(tsvector, tsquery)'::regprocedure",
        "free-text search cannot use its index under row-level security, so \
         each search reads every event in its time range; as a superuser, run \
         `ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;` \
         in Logbook's database (see the README)",
    )];

    fn read(&self) -> &Pool<Postgres> {
        &self.read
    }

    fn write(&self) -> &Pool<Postgres> {
        &self.write
    }

    fn budget(&self) -> &ReadBudget {
        &self.budget
    }

    fn partition_interval(&self) -> Option<PartitionInterval> {
        Some(self.partitions)
    }

    /// As the login role (the owner), not as `logbook_app`.
    async fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.owner_connection().await?;
        sqlx::migrate!("../migrations/postgres")
            .run_direct(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }

    /// A read transaction that tells row-level security its tenant scope, so
    /// a query that forgot its tenant condition still returns nothing foreign.
    async fn scoped_read(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        self.budgeted(&self.read, scope).await
    }

    /// The replica, when `DATABASE_READ_URL` names one.
    async fn scoped_report(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        self.budgeted(&self.report, scope).await
    }

    /// A write transaction in the scope, so that row-level security lets an
    /// `INSERT … RETURNING` read back the row it wrote.
    async fn scoped_write(&self, scope: &TenantScope) -> Result<Tx<Self>, DbError> {
        Self::in_scope(&self.read, scope).await
    }

    async fn begin_write(&self) -> Result<Tx<Self>, DbError> {
        Self::begin_group(&self.write).await
    }

    fn committer(&self) -> &Committer {
        &self.committer
    }

    async fn begin_group(pool: &Pool<Postgres>) -> Result<Tx<Self>, DbError> {
        Ok(pool.begin().await?)
    }

    /// Row-level security reads the scope from this transaction-local setting.
    async fn enter_scope(tx: &mut Tx<Self>, scope: &TenantScope) -> Result<(), DbError> {
        sqlx::query("SELECT set_config('logbook.scope', $1, true)")
            .bind(scope.rls_setting())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The DELETE trigger and the row-level security policy read these
    /// transaction-local settings.
    async fn guard_retention(tx: &mut Tx<Self>, on: bool) -> Result<(), DbError> {
        let sql = if on {
            "SELECT set_config('logbook.retention_job', 'on', true), \
             set_config('logbook.scope', '*', true)"
        } else {
            "SELECT set_config('logbook.retention_job', 'off', true)"
        };
        sqlx::query(sql).execute(&mut **tx).await?;
        Ok(())
    }

    /// Its GIN index answers free text inside the one query.
    async fn text_page(
        _tx: &mut Tx<Self>,
        _scope: &TenantScope,
        _filter: &EventFilter,
        _page: &PageRequest,
        _tenants: &[i64],
    ) -> Result<Option<Vec<EventRow>>, DbError> {
        Ok(None)
    }

    /// Every row packed as JSON text, the page one value (see `export_row`).
    async fn export_page(
        tx: &mut Tx<Self>,
        scope: &TenantScope,
        filter: &EventFilter,
        below: Option<Cursor>,
        limit: u32,
        splits: &Splits,
    ) -> Result<ExportPage, DbError> {
        let select = query::ExportSelect::Packed;
        let (packed, rows): (Option<String>, i64) =
            query::select_export_page(select, scope, filter, &below, limit, splits)
                .fetch_one(&mut *tx)
                .await?;
        Ok(ExportPage::packed(packed, rows, below))
    }

    /// PostgreSQL's autovacuum keeps the planner's statistics fresh.
    async fn refresh_statistics(&self) -> Result<(), DbError> {
        Ok(())
    }
}

impl super::sealed::Sealed for PgStore {}
impl super::sealed::Sealed for Postgres {}
