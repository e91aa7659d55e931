//! The large SQLite database the query figures are measured on: generated
//! once through the store's own append (chain and rollups included) and
//! kept, because 10,000,000 events take minutes to write. Later runs reuse it.
//!
//! It is bulk-loaded the way a large import would be: the events' secondary
//! indexes and the free-text trigger are set aside while writing and built
//! afterwards from the migrations' own statements. Kept in place, each event
//! updated a dozen B-trees at random places in a file of many GB, and the
//! load slowed from 16,000 to under 1,000 events/s. The schema and rows at
//! the end are the same either way.

use crate::{
    ingest::{fresh_store, to_new_events, Workload},
    CliResult,
};
use app::store::{NewEvent, SqliteStore, Store};
use chrono::{DateTime, Utc};
use std::{path::Path, sync::Arc, time::Instant};

/// Events per append: one transaction each, so commits do not dominate.
const BATCH: usize = 20_000;
/// One event in this many carries the rare word and the rare IP.
const RARE_EVERY: usize = 100_000;
pub(crate) const RARE_WORD: &str = "zanzibar";
pub(crate) const RARE_IP: &str = "198.51.100.23";
/// A tag on the rare events, and a commoner one on one event in 2,000.
pub(crate) const RARE_TAG: &str = "escalated";
pub(crate) const COMMON_TAG: &str = "reviewed";
pub(crate) const COMMON_TAG_EVERY: i64 = 2_000;

/// Opens (creating or topping up) the database at `path` with `events` events.
pub(crate) async fn open(
    path: &Path,
    events: usize,
    now: DateTime<Utc>,
) -> Result<Arc<SqliteStore>, Box<dyn std::error::Error + Send + Sync>> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let (store, tenants) = fresh_store(path).await?;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(store.write_pool())
        .await?;
    let have = have as usize;
    if have >= events {
        println!(
            "bench database: reusing {have} events in {}",
            path.display()
        );
        return Ok(store);
    }
    if have > 0 {
        return Err(format!(
            "{} holds {have} events, fewer than the {events} asked for; delete it to regenerate",
            path.display()
        )
        .into());
    }
    println!(
        "bench database: writing {events} events to {} (once; later runs reuse it)",
        path.display()
    );
    // Past a few GB, every index insert missed the writer's 64 MiB cache and
    // read its page with a system call (100% system time, 2,000 events/s):
    // while generating, the one writer connection keeps 2 GiB and maps the file.
    sqlx::query("PRAGMA cache_size = -2097152")
        .execute(store.write_pool())
        .await?;
    sqlx::query("PRAGMA mmap_size = 17179869184")
        .execute(store.write_pool())
        .await?;
    let started = Instant::now();
    let set_aside = set_aside_indexes(&store).await?;
    let slugs: Vec<String> = tenants.iter().map(|t| t.slug.clone()).collect();
    let workload = Workload::skewed(now, events);
    in_batches(workload, events, slugs, mark_rare, |tenant, rows| {
        let store = store.clone();
        let tenant_id = tenants[tenant].id;
        async move {
            store.append(tenant_id, &rows, None).await?;
            Ok(())
        }
    })
    .await?;
    rebuild_indexes(&store, &set_aside, started).await?;
    tag(&store).await?;
    println!("  analysing the indexes");
    sqlx::query("ANALYZE").execute(store.write_pool()).await?;
    println!(
        "bench database: {events} events written in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(store)
}

/// Generates `events` of `workload` in batches of `BATCH` and hands each,
/// as `(tenant index, events)`, to `write`, printing progress every
/// million. Generating and validating is CPU work of its own: a thread
/// does it while `write` stores the previous batch. `shape` changes each
/// batch first (given the events before it).
pub(crate) async fn in_batches<F, Fut>(
    mut workload: Workload,
    events: usize,
    slugs: Vec<String>,
    shape: fn(&mut [serde_json::Value], usize),
    mut write: F,
) -> CliResult
where
    F: FnMut(usize, Vec<NewEvent>) -> Fut,
    Fut: std::future::Future<Output = CliResult>,
{
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(usize, Vec<NewEvent>)>(2);
    let producer = tokio::task::spawn_blocking(move || -> CliResult {
        let mut sent = 0;
        while sent < events {
            let size = BATCH.min(events - sent);
            let (tenant, mut wire) = workload.batch(size);
            shape(&mut wire, sent);
            sent += size;
            let rows = to_new_events(&wire, &slugs[tenant], Utc::now())?;
            if tx.blocking_send((tenant, rows)).is_err() {
                break;
            }
        }
        Ok(())
    });
    let mut written = 0;
    while let Some((tenant, rows)) = rx.recv().await {
        written += rows.len();
        write(tenant, rows).await?;
        if written % 1_000_000 < BATCH {
            println!(
                "  {written} events, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    producer.await?
}

/// Gives one event in `RARE_EVERY` the rare word and the rare address;
/// `sent` is how many events came before `wire`.
pub(crate) fn mark_rare(wire: &mut [serde_json::Value], sent: usize) {
    for (i, event) in wire.iter_mut().enumerate() {
        if (sent + i) % RARE_EVERY == RARE_EVERY / 2 {
            let description = event["description"].as_str().unwrap_or("").to_string();
            event["description"] =
                format!("{description} after a {RARE_WORD} chargeback dispute").into();
            event["ip"] = RARE_IP.into();
        }
    }
}

/// The free-text index's backfill, as migration 0020 runs it.
fn fts_backfill() -> &'static str {
    let migration = include_str!("../../migrations/sqlite/0020_fts_prefix.sql");
    let at = migration
        .rfind("INSERT INTO events_fts")
        .expect("migration 0020 ends with the free-text backfill");
    &migration[at..]
}

/// Drops the events' secondary indexes and the free-text insert trigger,
/// returning the statements that create them again.
async fn set_aside_indexes(
    store: &SqliteStore,
) -> Result<Vec<(String, String)>, Box<dyn std::error::Error + Send + Sync>> {
    let objects: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'events' \
         AND sql IS NOT NULL AND (type = 'index' OR name = 'events_fts_insert')",
    )
    .fetch_all(store.write_pool())
    .await?;
    for (kind, name, _) in &objects {
        let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
        sqlx::query(&format!("DROP {kind} {name}"))
            .execute(store.write_pool())
            .await?;
    }
    Ok(objects
        .into_iter()
        .map(|(_, name, sql)| (name, sql))
        .collect())
}

async fn rebuild_indexes(
    store: &SqliteStore,
    set_aside: &[(String, String)],
    started: Instant,
) -> CliResult {
    for (name, sql) in set_aside {
        println!(
            "  building {name}, {:.0} s",
            started.elapsed().as_secs_f64()
        );
        sqlx::query(sql).execute(store.write_pool()).await?;
    }
    println!(
        "  building the free-text index, {:.0} s",
        started.elapsed().as_secs_f64()
    );
    sqlx::query(fts_backfill())
        .execute(store.write_pool())
        .await?;
    Ok(())
}

/// Tags as people add them: the rare tag on the rare events, the common one
/// spread evenly.
async fn tag(store: &SqliteStore) -> CliResult {
    let at = Utc::now().timestamp_micros();
    for (tag, condition) in [
        (RARE_TAG, format!("e.ip = '{RARE_IP}'")),
        (COMMON_TAG, format!("e.rowid % {COMMON_TAG_EVERY} = 7")),
    ] {
        sqlx::query(&format!(
            "INSERT INTO event_notes (event_id, tenant_id, kind, body, author, created_at, \
             event_occurred_at, event_seq) \
             SELECT e.id, e.tenant_id, 'tag', ?, 'bench', ?, e.occurred_at, e.seq FROM events e \
             WHERE {condition}"
        ))
        .bind(tag)
        .bind(at)
        .execute(store.write_pool())
        .await?;
    }
    Ok(())
}
