//! Reading the database behind the server's back, as an auditor would:
//! every event by its unique description, and the database's own integrity
//! check (SQLite's, or amcheck on PostgreSQL).

use crate::ingest::ALERTED_ACTION;
use sqlx::{Connection, Row};
use std::collections::{HashMap, HashSet};

/// One stored event, found by its description (unique per sent event).
#[derive(Clone, Debug)]
pub struct Stored {
    pub id: String,
    pub action: String,
    pub tenant: String,
    /// Rows with this description: 1 unless it was stored twice.
    pub copies: usize,
}

/// Every event, by description; on PostgreSQL read as the owner, which
/// row-level security does not narrow.
pub async fn read_events(url: &str) -> HashMap<String, Stored> {
    let sql = "SELECT e.id, e.description, e.action, t.slug FROM events e \
               JOIN tenants t ON t.id = e.tenant_id";
    let rows: Vec<(String, Stored)> = if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url)
            .await
            .expect("the SQLite file opens");
        let rows = sqlx::query(sql).fetch_all(&mut conn).await;
        rows.expect("the events read back")
            .into_iter()
            .map(row)
            .collect()
    } else {
        let mut conn = sqlx::PgConnection::connect(url)
            .await
            .expect("PostgreSQL answers");
        let rows = sqlx::query(sql).fetch_all(&mut conn).await;
        rows.expect("the events read back")
            .into_iter()
            .map(row)
            .collect()
    };
    let mut by_description: HashMap<String, Stored> = HashMap::new();
    for (description, stored) in rows {
        by_description
            .entry(description)
            .and_modify(|seen| seen.copies += 1)
            .or_insert(stored);
    }
    by_description
}

fn row<R: Row>(row: R) -> (String, Stored)
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let text = |i: usize| row.try_get::<String, _>(i).expect("a text column");
    (
        text(1),
        Stored {
            id: text(0),
            action: text(2),
            tenant: text(3),
            copies: 1,
        },
    )
}

/// SQLite's `PRAGMA integrity_check` on the file as the crash left it.
pub async fn integrity_ok(url: &str) -> bool {
    if !url.starts_with("sqlite:") {
        return postgres_indexes_ok(url).await;
    }
    let Ok(mut conn) = sqlx::SqliteConnection::connect(url).await else {
        return false;
    };
    let verdict: Result<String, _> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await;
    matches!(verdict.as_deref(), Ok("ok"))
}

/// PostgreSQL: amcheck's `bt_index_check` on every B-tree index of the
/// schema (a kill of a client must leave no index out of step with its
/// table). Needs a superuser, which the run's own cluster gives.
async fn postgres_indexes_ok(url: &str) -> bool {
    let Ok(mut conn) = sqlx::PgConnection::connect(url).await else {
        return false;
    };
    if sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
        .execute(&mut conn)
        .await
        .is_err()
    {
        return false;
    }
    let checked: Result<i64, _> = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT bt_index_check(c.oid) FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE am.amname = 'btree' AND c.relkind = 'i' AND n.nspname = 'public') checked",
    )
    .fetch_one(&mut conn)
    .await;
    matches!(checked, Ok(n) if n > 0)
}

/// The stored events the run's alert rule matches (acme's transfers).
pub fn alerted(stored: &HashMap<String, Stored>) -> HashSet<String> {
    stored
        .values()
        .filter(|e| e.action == ALERTED_ACTION && e.tenant == "acme")
        .map(|e| e.id.clone())
        .collect()
}

/// Acknowledged events (marker to id) against what is stored.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Acknowledged, and absent (or present under another id).
    pub lost: Vec<String>,
    /// Stored more than once.
    pub duplicates: Vec<String>,
}

pub fn compare(acked: &HashMap<String, String>, stored: &HashMap<String, Stored>) -> Comparison {
    let mut found = Comparison::default();
    for (marker, id) in acked {
        match stored.get(marker) {
            Some(event) if event.copies > 1 => found.duplicates.push(marker.clone()),
            Some(event) if event.id == *id => {}
            _ => found.lost.push(marker.clone()),
        }
    }
    found
}
