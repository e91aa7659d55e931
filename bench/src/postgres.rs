//! The figures on PostgreSQL at scale: the query workload bulk-loaded into
//! the database `--database-url` names (once; later runs reuse it), each
//! batch received just after its newest event, as a live log's would be,
//! so the events fill monthly partitions; then the same filter cases, the
//! analytics page, bytes per event and the CSV export as on SQLite. And
//! retention of a month: its partition dropped, beside the same rows
//! deleted one by one where a legal hold keeps the partition.

use crate::{
    dataset::{in_batches, mark_rare, COMMON_TAG, COMMON_TAG_EVERY, RARE_IP, RARE_TAG},
    export, footprint,
    ingest::{serve, Workload},
    queries::{run_cases, Bare},
    CliResult,
};
use app::{
    integrity::{record_cuts, run_retention, RetentionPolicy},
    model::{Retention, Tenant},
    store::{raw::append_received_at, IntegrityStore, PartitionStore, PgStore, Signer, Store},
};
use chrono::{DateTime, Duration, Utc};
use server::demo::{TenantProfile, PROFILES};
use sqlx::{Connection, Executor, PgConnection};
use std::{sync::Arc, time::Instant};

pub(crate) async fn run(url: &str, events: usize, case: Option<&str>, runs: usize) -> CliResult {
    let store = Arc::new(open(url, events).await?);
    let bare = Bare::Postgres(store.pool().clone());
    if case.is_none() {
        footprint::report("postgres", &*store).await?;
    }
    if case != Some("export") {
        run_cases(&*store, &bare, case, runs).await?;
    }
    if case.is_none_or(|c| c == "export") {
        let addr = serve(store.clone()).await?;
        export::run(&*store, &bare, addr).await?;
    }
    Ok(())
}

/// The database at `url` (created if missing) holding `events` events.
async fn open(
    url: &str,
    events: usize,
) -> Result<PgStore, Box<dyn std::error::Error + Send + Sync>> {
    create_database(url).await?;
    let store = PgStore::connect(url).await?;
    store.migrate().await?;
    let mut tenants = Vec::new();
    for TenantProfile { slug, name, .. } in PROFILES {
        tenants.push(store.ensure_tenant(slug, name).await?);
    }
    let mut owner = store.owner_connection().await?;
    owner.execute("SET logbook.scope = '*'").await?;
    let (have,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events")
        .fetch_one(&mut owner)
        .await?;
    let have = have as usize;
    if have >= events {
        println!("bench database: reusing {have} events in {}", label(url));
        return Ok(store);
    }
    if have > 0 {
        return Err(format!(
            "{} holds {have} events, fewer than the {events} asked for; drop it to regenerate",
            label(url)
        )
        .into());
    }
    println!(
        "bench database: writing {events} events to {} (once; later runs reuse it)",
        label(url)
    );
    let started = Instant::now();
    // As on SQLite (`dataset`), the secondary indexes are set aside while
    // loading and built afterwards from their own definitions: kept, each
    // event updated a dozen B-trees at random places. The schema and rows
    // at the end are the same either way.
    let aside: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'events' \
         AND indexname NOT IN ('events_pkey', 'events_tenant_id_seq_id_key')",
    )
    .fetch_all(&mut owner)
    .await?;
    for (name, _) in &aside {
        owner.execute(format!("DROP INDEX {name}").as_str()).await?;
    }
    let workload = Workload::skewed(Utc::now(), events);
    load(&store, &tenants, workload, events, None, mark_rare).await?;
    owner.execute("SET maintenance_work_mem = '1GB'").await?;
    for (name, definition) in &aside {
        let at = Instant::now();
        // The parent's definition reads `ON ONLY`, which would build no
        // partition's index.
        owner
            .execute(definition.replace(" ON ONLY ", " ON ").as_str())
            .await?;
        println!(
            "  index {name} built in {:.0} s",
            at.elapsed().as_secs_f64()
        );
    }
    println!("  tagging and analysing");
    for (tag, condition) in [
        (RARE_TAG, format!("e.ip = '{RARE_IP}'")),
        (COMMON_TAG, format!("e.seq % {COMMON_TAG_EVERY} = 7")),
    ] {
        sqlx::query(&format!(
            "INSERT INTO event_notes (event_id, tenant_id, kind, body, author, created_at, \
             event_occurred_at, event_seq) \
             SELECT e.id, e.tenant_id, 'tag', $1, 'bench', $2, e.occurred_at, e.seq FROM events e \
             WHERE {condition}"
        ))
        .bind(tag)
        .bind(Utc::now().timestamp_micros())
        .execute(&mut owner)
        .await?;
    }
    owner.execute("VACUUM ANALYZE").await?;
    println!(
        "bench database: {events} events written in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(store)
}

/// Appends `events` of `workload` in batches, each received a minute after
/// its newest event (or at `received`).
async fn load(
    store: &PgStore,
    tenants: &[Tenant],
    workload: Workload,
    events: usize,
    received: Option<DateTime<Utc>>,
    shape: fn(&mut [serde_json::Value], usize),
) -> CliResult {
    let slugs: Vec<String> = tenants.iter().map(|t| t.slug.clone()).collect();
    in_batches(workload, events, slugs, shape, |tenant, rows| async move {
        let at = received.unwrap_or_else(|| {
            rows.iter()
                .map(|e| e.occurred_at)
                .max()
                .unwrap_or_else(Utc::now)
                + Duration::minutes(1)
        });
        append_received_at(store, tenants[tenant].id, &rows, at.timestamp_micros()).await?;
        Ok(())
    })
    .await
}

/// Creates the database `url` names on its server, unless it exists.
async fn create_database(url: &str) -> CliResult {
    let (base, name) = url
        .rsplit_once('/')
        .ok_or("the PostgreSQL URL needs a database path")?;
    let name = name.split('?').next().unwrap_or(name);
    let mut admin = PgConnection::connect(&format!("{base}/postgres")).await?;
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut admin)
        .await?;
    if exists.is_none() {
        admin
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await?;
    }
    Ok(())
}

fn label(url: &str) -> String {
    url.rsplit_once('@')
        .map_or(url.to_string(), |(_, host)| host.to_string())
}

/// Retention of one month of `events` events: on one fresh database its
/// partition is dropped; on another, one event of a tenant under a legal
/// hold keeps the partition, and the same rows are deleted in batches.
pub(crate) async fn retention(admin: &str, events: usize) -> CliResult {
    println!("retention of one month's partition ({events} events) vs deleting the same rows");
    let month_ago = Utc::now() - Duration::days(70);
    let mut figures = Vec::new();
    for held in [false, true] {
        let url = format!(
            "{}/logbook_bench_retention_{}",
            admin
                .rsplit_once('/')
                .ok_or("the PostgreSQL URL needs a database path")?
                .0,
            ulid::Ulid::new().to_string().to_lowercase()
        );
        create_database(&url).await?;
        let store = PgStore::connect(&url).await?;
        store.migrate().await?;
        let mut tenants = Vec::new();
        for TenantProfile { slug, name, .. } in PROFILES {
            tenants.push(store.ensure_tenant(slug, name).await?);
        }
        let workload = Workload::new(month_ago, events);
        load(
            &store,
            &tenants,
            workload,
            events,
            Some(month_ago),
            |_, _| {},
        )
        .await?;
        if held {
            let keeper = store.ensure_tenant("held", "Held").await?;
            let one = Workload::new(month_ago, 1);
            load(
                &store,
                std::slice::from_ref(&keeper),
                one,
                1,
                Some(month_ago),
                |_, _| {},
            )
            .await?;
            store
                .update_tenant_settings(keeper.id, Retention::Default, true, &[])
                .await?;
        }
        let (signer, _) = Signer::generate();
        let policy = RetentionPolicy {
            default_days: 30,
            ..RetentionPolicy::default()
        };
        let now = Utc::now().timestamp_micros();
        let started = Instant::now();
        record_cuts(&store, &signer, policy, now, None).await?;
        let cuts = started.elapsed().as_secs_f64();
        let dropped = store.drop_expired_partitions(now, None).await?;
        let purges = run_retention(&store, &signer, policy, now, None).await?;
        let secs = started.elapsed().as_secs_f64();
        let deleted: u64 = purges.iter().map(|p| p.deleted).sum::<u64>()
            + dropped
                .iter()
                .flat_map(|d| d.events.iter().map(|(_, n)| n))
                .sum::<u64>();
        // The month's partition (an empty one made ahead may go too).
        let month = dropped
            .iter()
            .filter(|d| !d.events.is_empty())
            .max_by_key(|d| d.events.iter().map(|(_, n)| n).sum::<u64>());
        match month {
            Some(d) => println!(
                "  partition dropped whole: {deleted} events in {secs:.2} s \
                 (cuts {cuts:.2} s, counting out of the rollups {:.2} s, detach + drop {:.3} s)",
                d.counted.as_secs_f64(),
                d.dropped.as_secs_f64()
            ),
            None => println!(
                "  rows deleted in batches of 1,000 (a held tenant keeps the partition): \
                 {deleted} events in {secs:.2} s"
            ),
        }
        figures.push(secs);
        store.pool().close().await;
        let mut admin_conn = PgConnection::connect(admin).await?;
        let name = url.rsplit_once('/').map(|(_, n)| n).unwrap_or_default();
        admin_conn
            .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await?;
    }
    println!(
        "retention of a month: partition dropped / rows deleted, time ratio {:.3}",
        figures[0] / figures[1]
    );
    Ok(())
}
