//! A free-text page on SQLite without sorting every match.
//!
//! The plain query asks FTS5 for every event containing the words, then
//! sorts them by time: fine for a rare word, seconds for one in every other
//! event. FTS5 keys are `(tenant << 40) + seq`, so it can also hand over
//! matches newest-ingested first, a chunk at a time. Ingest order is not
//! time order (senders backdate, clocks drift), so after each chunk the
//! walk asks `seq_blocks` for the latest time any earlier event of the
//! tenant has; once that is older than the last row the page needs (or than
//! the filter's start), nothing unread can change the page and it stops.

use crate::model::{search_phrases, EventFilter, PageRequest};
use crate::store::sql::Scalar;
use crate::store::{
    error::DbError,
    events::columns::EventRow,
    events::query::{page_limit, select_by_seqs},
    events::text_search::{fts5_query, FTS_KEY_BITS},
    scope::TenantScope,
};
use chrono::Utc;
use sqlx::{Sqlite, Transaction};

/// A read transaction on SQLite.
type Conn = Transaction<'static, Sqlite>;

/// The first chunk of matches; each further chunk doubles, up to the last.
const FIRST_CHUNK: i64 = 512;
const LAST_CHUNK: i64 = 16_384;
/// `seq_blocks` groups chain positions by this many bits (see its migration).
const BLOCK_BITS: u32 = 10;

/// The page's rows (one more than the page, as `select_events` returns), or
/// `None` when this walk does not apply: no words, or a page read upwards
/// from a cursor (it wants the oldest rows above it, which a newest-first
/// walk reaches last).
pub async fn text_page(
    conn: &mut Conn,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    tenants: &[i64],
) -> Result<Option<Vec<EventRow>>, DbError> {
    let Some(text) = &filter.text else {
        return Ok(None);
    };
    let phrases = search_phrases(text);
    if phrases.is_empty() || (page.older_than.is_none() && page.newer_than.is_some()) {
        return Ok(None);
    }
    let walked: Vec<i64> = match scope.tenant_id() {
        Some(id) => vec![id],
        None if scope.is_all() => tenants.to_vec(),
        None => return Ok(None),
    };
    if walked.is_empty() {
        return Ok(None);
    }
    let rest = EventFilter {
        text: None,
        ..filter.clone()
    };
    let want = page_limit(page) as usize + 1;
    let from = filter.bounds(Utc::now()).0.map(|t| t.timestamp_micros());
    let query = fts5_query(&phrases);
    let mut best: Vec<EventRow> = Vec::new();
    for tenant in walked {
        let walk = Walk {
            tenant,
            query: &query,
            rest: &rest,
            page,
            want,
            from,
        };
        best.extend(walk.run(conn).await?);
        keep_best(&mut best, want);
    }
    Ok(Some(best))
}

struct Walk<'w> {
    tenant: i64,
    query: &'w str,
    rest: &'w EventFilter,
    page: &'w PageRequest,
    want: usize,
    from: Option<i64>,
}

impl Walk<'_> {
    async fn run(&self, conn: &mut Conn) -> Result<Vec<EventRow>, DbError> {
        let mut best: Vec<EventRow> = Vec::new();
        let mut below = (self.tenant + 1) << FTS_KEY_BITS;
        let mut chunk = FIRST_CHUNK;
        loop {
            let keys: Vec<i64> = Scalar::new(
                "SELECT rowid FROM events_fts WHERE events_fts MATCH ? \
                 AND rowid >= ? AND rowid < ? ORDER BY rowid DESC LIMIT ?",
            )
            .bind(self.query)
            .bind(self.tenant << FTS_KEY_BITS)
            .bind(below)
            .bind(chunk)
            .fetch_all(&mut *conn)
            .await?;
            let Some(&lowest) = keys.last() else {
                break;
            };
            let mask = (1_i64 << FTS_KEY_BITS) - 1;
            let seqs: Vec<i64> = keys.iter().map(|k| k & mask).collect();
            let rows: Vec<EventRow> =
                select_by_seqs(self.tenant, &seqs, self.rest, self.page, self.want as i64)
                    .fetch_all(&mut *conn)
                    .await?;
            best.extend(rows);
            keep_best(&mut best, self.want);
            if (keys.len() as i64) < chunk {
                break;
            }
            below = lowest;
            if self
                .nothing_earlier_counts(conn, lowest & mask, &best)
                .await?
            {
                break;
            }
            chunk = (chunk * 2).min(LAST_CHUNK);
        }
        Ok(best)
    }

    /// Whether every event before chain position `seq` happened too early
    /// to enter the page: before its last row once it is full, else before
    /// the filter's start.
    async fn nothing_earlier_counts(
        &self,
        conn: &mut Conn,
        seq: i64,
        best: &[EventRow],
    ) -> Result<bool, DbError> {
        let threshold = if best.len() >= self.want {
            best.last().map(|row| row.key().occurred_us)
        } else {
            self.from
        };
        let Some(threshold) = threshold else {
            return Ok(false);
        };
        // The block holding `seq` bounds everything before it (and a little after).
        let latest: Option<i64> =
            Scalar::new("SELECT upto FROM seq_blocks WHERE tenant_id = ? AND block = ?")
                .bind(self.tenant)
                .bind(seq >> BLOCK_BITS)
                .fetch_optional(&mut *conn)
                .await?;
        Ok(latest.is_some_and(|latest| latest < threshold))
    }
}

/// Newest first in page order (`Cursor`), the first `want` kept.
fn keep_best(rows: &mut Vec<EventRow>, want: usize) {
    rows.sort_by_key(|row| std::cmp::Reverse(row.key()));
    rows.truncate(want);
}
