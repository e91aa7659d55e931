//! Retention by whole partitions. Deleting a month of events row by row
//! writes every row and every index entry again (as dead tuples and WAL)
//! and leaves the space to vacuum; dropping the partition is a catalogue
//! change. What it still reads is the partition once per rollup, so that
//! the analytics' counts stay exact.

use super::{ulid_floor, DroppedPartition};
use crate::store::{
    backend::Backend,
    error::DbError,
    leases::{hold, Fence},
    sql::{Scalar, Sql},
    tallies::rollups::count_out_ids,
};
use std::time::{Duration, Instant};

/// Each tenant's events, the counting's time and the drop's.
type Dropped = (Vec<(i64, u64)>, Duration, Duration);

pub(super) async fn drop_expired<B: Backend>(
    b: &B,
    now_us: i64,
    fence: Option<&Fence>,
) -> Result<Vec<DroppedPartition>, DbError> {
    // A partition that may still receive events (the clock's own now, even
    // when retention is asked about a later moment) is never dropped.
    let before = now_us.min(chrono::Utc::now().timestamp_micros());
    let expired: Vec<(String, i64, i64)> =
        Sql::<B::Db>::new("SELECT name, lo, hi FROM event_partitions WHERE hi <= $1 ORDER BY lo")
            .bind(before)
            .fetch_all(b.read())
            .await?;
    let mut dropped = Vec::new();
    for (name, lo, hi) in expired {
        if let Some((events, counted, took)) = drop_one::<B>(b, &name, (lo, hi), fence).await? {
            tracing::info!(
                partition = name,
                events = events.iter().map(|(_, n)| n).sum::<u64>(),
                counted_ms = counted.as_millis() as u64,
                dropped_ms = took.as_millis() as u64,
                "retention dropped an events partition"
            );
            dropped.push(DroppedPartition {
                name,
                lo,
                hi,
                events,
                counted,
                dropped: took,
            });
        }
    }
    Ok(dropped)
}

/// Drops one partition if all its events are behind their tenants' cuts:
/// each tenant's events in it, and how long counting and dropping took;
/// `None` when it must stay.
async fn drop_one<B: Backend>(
    b: &B,
    name: &str,
    (lo, hi): (i64, i64),
    fence: Option<&Fence>,
) -> Result<Option<Dropped>, DbError> {
    let started = Instant::now();
    let mut tx = b.begin_write().await?;
    hold::<B>(&mut tx, fence).await?;
    B::guard_retention(&mut tx, true).await?;
    // The same test the drop function makes, first, so that a partition
    // that must stay costs an index probe per tenant, not the counting.
    let (lo, hi) = (ulid_floor(lo), ulid_floor(hi));
    let kept: bool = Scalar::new(
        "SELECT EXISTS (SELECT 1 FROM tenants t WHERE EXISTS (SELECT 1 FROM events e \
         WHERE e.tenant_id = t.id AND e.seq > t.cut_seq AND e.id >= $1 AND e.id < $2))",
    )
    .bind(lo.as_str())
    .bind(hi.as_str())
    .fetch_one(&mut tx)
    .await?;
    if kept {
        return Ok(None);
    }
    let counts: Vec<(i64, i64)> = Sql::new(
        "SELECT tenant_id, COUNT(*) FROM events \
         WHERE id >= $1 AND id < $2 GROUP BY tenant_id ORDER BY tenant_id",
    )
    .bind(lo.as_str())
    .bind(hi.as_str())
    .fetch_all(&mut tx)
    .await?;
    let tenants: Vec<i64> = counts.iter().map(|(t, _)| *t).collect();
    count_out_ids::<B>(&mut tx, (&lo, &hi), &tenants).await?;
    Sql::new(
        "DELETE FROM event_notes WHERE event_id IN (SELECT id FROM events WHERE id >= $1 AND id < $2)",
    )
    .bind(lo.as_str())
    .bind(hi.as_str())
    .execute(&mut tx)
    .await?;
    let counted = started.elapsed();
    let started = Instant::now();
    // Detaching locks the whole events table for a moment: wait for the
    // reads in flight, but not behind a long one; the next run tries again.
    Sql::new("SET LOCAL lock_timeout = '5s'")
        .execute(&mut tx)
        .await?;
    let drop: Result<i64, DbError> = Scalar::new("SELECT logbook_drop_events_partition($1)")
        .bind(name)
        .fetch_one(&mut tx)
        .await;
    if let Err(err) = drop {
        if lock_timed_out(&err) {
            tracing::warn!(
                partition = name,
                "the events table stayed busy: dropping next run"
            );
            return Ok(None);
        }
        return Err(err);
    }
    B::guard_retention(&mut tx, false).await?;
    tx.commit().await?;
    let counts = counts
        .into_iter()
        .map(|(t, n)| (t, n.max(0) as u64))
        .collect();
    Ok(Some((counts, counted, started.elapsed())))
}

/// PostgreSQL's `lock_not_available`: the lock timeout ran out.
fn lock_timed_out(err: &DbError) -> bool {
    matches!(err, DbError::Sqlx(sqlx::Error::Database(db)) if db.code().as_deref() == Some("55P03"))
}
