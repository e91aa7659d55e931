//! The store's one error type; the server layers convert it once.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database was unreachable or refused a statement.
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    /// A read ran past its time budget and the database stopped it.
    #[error("the query ran past its time budget")]
    TimedOut,
    /// SQLite refused a statement run through its C interface (the export
    /// reader, see `sqlite_export`); SQLite's own message.
    #[error("database error: {0}")]
    Sqlite(String),
    /// A migration failed; the server must not start on a half-migrated schema.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value no longer parses, e.g. an outcome outside the vocabulary.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A tenant named by slug does not exist.
    #[error("unknown tenant '{0}'")]
    UnknownTenant(String),
    /// `DATABASE_URL` names a database Logbook cannot use.
    #[error("unsupported database URL '{0}': expected sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    /// The group commit holding this request's events failed; the cause
    /// (logged once, for the whole group).
    #[error("the commit failed: {0}")]
    Commit(String),
    /// A unique value (an account's email) is already taken; says which.
    #[error("{0}")]
    Conflict(&'static str),
    /// A job's write came from a server whose lease on the job had run out
    /// or passed to another (`store::leases`); the job's work is refused.
    #[error("the lease on job '{0}' is no longer held by this server")]
    Fenced(String),
    /// The disk holding the database is full: nothing of the statement was
    /// written, and a retry succeeds once space is freed.
    #[error("the disk holding the database is full")]
    StorageFull,
    /// The database could not be reached: stopped, restarting, or refusing
    /// connections. A retry succeeds once it is back.
    #[error("the database is unreachable: {0}")]
    Unreachable(String),
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        if super::backend::is_timeout(&err) {
            DbError::TimedOut
        } else if is_storage_full(&err) {
            DbError::StorageFull
        } else if is_unreachable(&err) {
            DbError::Unreachable(err.to_string())
        } else {
            DbError::Sqlx(err)
        }
    }
}

/// SQLITE_FULL, and PostgreSQL's disk_full.
fn is_storage_full(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("13") | Some("53100")),
        // Where the engine reports the write's own failure, not its code.
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}

/// The database is gone or going: no connection, a connection cut, or
/// PostgreSQL shutting down or starting (class 08, 57P01-57P03).
fn is_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl DbError {
    /// The error each request of a failed group commit receives: a fault of
    /// the storage stays that fault (the caller answers 503 and retries),
    /// anything else becomes `Commit` with its message.
    pub(crate) fn for_each_request(&self) -> DbError {
        match self {
            DbError::StorageFull => DbError::StorageFull,
            DbError::Unreachable(cause) => DbError::Unreachable(cause.clone()),
            other => DbError::Commit(other.to_string()),
        }
    }

    /// A fault of the storage rather than of the request: the same request
    /// succeeds later, so callers answer 503 with a Retry-After.
    pub fn is_transient(&self) -> bool {
        matches!(self, DbError::StorageFull | DbError::Unreachable(_))
    }

    /// `Conflict(what)` for a unique-constraint violation, the error otherwise.
    pub fn conflict_or(err: DbError, what: &'static str) -> DbError {
        match &err {
            DbError::Sqlx(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                DbError::Conflict(what)
            }
            _ => err,
        }
    }
}
