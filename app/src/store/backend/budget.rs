//! How long one read may run. A prefix word with a filter that never
//! matches can walk a whole index; past the budget the database stops it
//! (SQLite's progress handler, PostgreSQL's `statement_timeout`) and the
//! caller gets [`DbError::TimedOut`](super::DbError::TimedOut).

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

/// The budget in force, shared by a store's connections.
#[derive(Clone, Debug)]
pub struct ReadBudget(Arc<AtomicU64>);

impl ReadBudget {
    /// 15 seconds: far above any page, chart or export page on 10M events.
    pub const DEFAULT: Duration = Duration::from_secs(15);

    pub fn get(&self) -> Duration {
        Duration::from_millis(self.0.load(Ordering::Relaxed))
    }

    pub fn set(&self, budget: Duration) {
        self.0
            .store(budget.as_millis().max(1) as u64, Ordering::Relaxed);
    }
}

impl Default for ReadBudget {
    fn default() -> Self {
        ReadBudget(Arc::new(AtomicU64::new(Self::DEFAULT.as_millis() as u64)))
    }
}

/// Whether `err` is the database stopping a statement that ran too long.
pub(crate) fn is_timeout(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            // SQLITE_INTERRUPT, and PostgreSQL's query_canceled.
            matches!(db.code().as_deref(), Some("9") | Some("57014"))
        }
        _ => false,
    }
}
