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
}

impl From<sqlx::Error> for DbError {
    fn from(err: sqlx::Error) -> Self {
        if super::backend::is_timeout(&err) {
            DbError::TimedOut
        } else {
            DbError::Sqlx(err)
        }
    }
}

impl DbError {
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
