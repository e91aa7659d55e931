//! `--load`: concurrent ingest through the HTTP API on a fresh SQLite file
//! and a fresh PostgreSQL database, each shape printed beside the raw
//! engine's rate on the same schema (the same rows inserted by as many
//! clients, one transaction per request, with no chain, rollups or alerts).

use crate::{
    ingest::{bench_key, fresh_store, to_new_events, unchained},
    load::{drive, gather, BenchError, Figures, Shape, Target},
    CliResult,
};
use app::{
    model::Tenant,
    store::{
        raw::{insert_events, resolve_user_agents, KnownAgents, INSERT_CHUNK},
        Backend, PgStore, Store, TenantScope,
    },
};
use chrono::Utc;
use server::{
    config::Limits,
    demo::{Generator, TenantProfile, PROFILES},
    http::{bind, AppState},
};
use sqlx::{Connection, Executor, PgConnection};
use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::task::JoinSet;

/// The shapes the goals name: single events from many clients,
/// mid-size batches, and large batches from a few.
fn shapes(seconds: f64) -> [Shape; 3] {
    [
        Shape {
            clients: 64,
            batch: 1,
            seconds,
        },
        Shape {
            clients: 8,
            batch: 100,
            seconds,
        },
        Shape {
            clients: 4,
            batch: 1_000,
            seconds,
        },
    ]
}

pub(crate) async fn run(postgres: Option<&str>, into: Option<&Path>, seconds: f64) -> CliResult {
    let dir = tempfile::tempdir()?;
    println!(
        "load: {seconds} s per shape, through the HTTP API, each beside raw inserts on the same schema"
    );
    let (sqlite, tenants) = fresh_store(&dir.path().join("load.db")).await?;
    report("sqlite", sqlite, &tenants, seconds, Footprint::Measure).await?;
    crate::agents::run(dir.path()).await?;
    if let Some(large) = into {
        // A copy, so the query database stays as its figures were taken.
        let copy = dir.path().join("large.db");
        let started = Instant::now();
        std::fs::copy(large, &copy)?;
        for suffix in ["-wal", "-shm"] {
            let side = large.with_file_name(format!(
                "{}{suffix}",
                large.file_name().unwrap_or_default().to_string_lossy()
            ));
            if side.exists() {
                std::fs::copy(&side, dir.path().join(format!("large.db{suffix}")))?;
            }
        }
        let (store, tenants) = fresh_store(&copy).await?;
        let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(store.write_pool())
            .await?;
        println!(
            "sqlite, into a copy of {} ({have} events, copied in {:.0} s):",
            large.display(),
            started.elapsed().as_secs_f64()
        );
        report(
            "sqlite, large log",
            store,
            &tenants,
            seconds,
            Footprint::Skip,
        )
        .await?;
    }
    if let Some(admin) = postgres {
        let (url, name) = fresh_postgres(admin).await?;
        let store = Arc::new(PgStore::connect(&url).await?);
        Store::migrate(&*store).await?;
        let mut tenants = Vec::new();
        for TenantProfile { slug, name, .. } in PROFILES {
            tenants.push(store.ensure_tenant(slug, name).await?);
        }
        report(
            "postgres",
            store.clone(),
            &tenants,
            seconds,
            Footprint::Measure,
        )
        .await?;
        store.pool().close().await;
        let mut conn = PgConnection::connect(admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await?;
    }
    Ok(())
}

/// The shapes into a copy of the large PostgreSQL database at `url` (the
/// query figures' one, made by `--queries-only --database-url`): live
/// ingest into a large, partitioned log.
pub(crate) async fn into_postgres(url: &str, seconds: f64) -> CliResult {
    let (base, name) = url
        .rsplit_once('/')
        .ok_or("the PostgreSQL URL needs a database path")?;
    let copy = format!(
        "{name}_load_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    let mut admin = PgConnection::connect(&format!("{base}/postgres")).await?;
    let started = Instant::now();
    admin
        .execute(format!("CREATE DATABASE {copy} TEMPLATE {name}").as_str())
        .await?;
    let store = Arc::new(PgStore::connect(&format!("{base}/{copy}")).await?);
    Store::migrate(&*store).await?;
    let mut tenants = Vec::new();
    for TenantProfile { slug, name, .. } in PROFILES {
        tenants.push(store.ensure_tenant(slug, name).await?);
    }
    println!(
        "postgres, into a copy of {name} (copied in {:.0} s):",
        started.elapsed().as_secs_f64()
    );
    let result = report(
        "postgres, large log",
        store.clone(),
        &tenants,
        seconds,
        Footprint::Skip,
    )
    .await;
    store.pool().close().await;
    admin
        .execute(format!("DROP DATABASE IF EXISTS {copy} WITH (FORCE)").as_str())
        .await?;
    result
}

/// The shapes against a server that is already running.
pub(crate) async fn against(target: &Target, seconds: f64) -> CliResult {
    println!("load: {seconds} s per shape, against {}", target.base);
    for (i, shape) in shapes(seconds).into_iter().enumerate() {
        let figures = drive(target, shape, i as u64).await?;
        println!("{}", figures.line(&format!("{} via HTTP", shape.label())));
    }
    Ok(())
}

/// A new database on the PostgreSQL server at `admin`: its URL and name.
async fn fresh_postgres(admin: &str) -> Result<(String, String), BenchError> {
    let mut conn = PgConnection::connect(admin).await?;
    let name = format!(
        "logbook_bench_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    let (base, _) = admin
        .rsplit_once('/')
        .ok_or("the PostgreSQL URL needs a database path")?;
    Ok((format!("{base}/{name}"), name))
}

/// Whether a report ends with bytes per event (reading every page of a
/// large database to count them takes minutes).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Footprint {
    Measure,
    Skip,
}

async fn report<B: Backend>(
    name: &str,
    store: Arc<B>,
    tenants: &[Tenant],
    seconds: f64,
    footprint: Footprint,
) -> CliResult {
    let mut keys = Vec::new();
    for tenant in tenants {
        keys.push(bench_key(&*store, tenant.id).await?);
    }
    let state = AppState::new(store.clone(), Path::new("target/site"), Limits::default());
    let addr = bind(state, "127.0.0.1:0".parse()?).await?.spawn();
    let target = Target {
        base: format!("http://{addr}"),
        keys,
    };
    for (i, shape) in shapes(seconds).into_iter().enumerate() {
        let before = store.committer().stats();
        let api = drive(&target, shape, i as u64).await?;
        let after = store.committer().stats();
        let raw = raw_load(&*store, tenants, shape, i).await?;
        println!(
            "{name}, {}",
            api.line(&format!("{} via HTTP", shape.label()))
        );
        println!(
            "{name}, {}",
            raw.line(&format!("{}, raw inserts", shape.label()))
        );
        let groups = after.groups - before.groups;
        println!(
            "{name}, {}: HTTP / raw ratio {:.2}; {} requests in {} commits ({:.1} per commit)",
            shape.label(),
            api.rate() / raw.rate(),
            after.requests - before.requests,
            groups,
            (after.requests - before.requests) as f64 / groups.max(1) as f64
        );
    }
    match footprint {
        Footprint::Measure => crate::footprint::report(name, &*store).await,
        Footprint::Skip => Ok(()),
    }
}

/// The same shape straight into the events table: each client inserts its
/// request's rows in a transaction of its own (sequence numbers from a
/// range of its own, no hashing, rollups or alerts), as fast as it can.
async fn raw_load<B: Backend>(
    store: &B,
    tenants: &[Tenant],
    shape: Shape,
    run: usize,
) -> Result<Figures, BenchError> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(shape.seconds);
    let mut clients = JoinSet::new();
    for c in 0..shape.clients {
        let pool = store.write().clone();
        let tenant = tenants[c % tenants.len()].clone();
        clients.spawn(async move {
            let mut generator = Generator::new(7_000 + c as u64);
            let mut known = KnownAgents::default();
            // Far past anything the API wrote, one range per run and client.
            let mut seq = 1_000_000_000_i64 * ((run * 1_000 + c) as i64 + 1);
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let now = Utc::now();
                let wire: Vec<_> = (0..shape.batch)
                    .map(|_| generator.event(c % PROFILES.len(), now))
                    .collect();
                let rows = to_new_events(&wire, &tenant.slug, now)?;
                let stamped = unchained(tenant.id, &mut seq, now, &rows);
                let sent = Instant::now();
                let mut tx = B::begin_group(&pool).await?;
                B::enter_scope(&mut tx, &TenantScope::tenant(tenant.id)).await?;
                let texts = rows.iter().filter_map(|e| e.user_agent.as_deref());
                let agents = resolve_user_agents::<B>(&mut tx, &known, texts).await?;
                for chunk in stamped.chunks(INSERT_CHUNK) {
                    insert_events::<B::Db>(chunk, &agents)?
                        .execute(&mut tx)
                        .await?;
                }
                tx.commit().await?;
                known.learn(agents);
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, BenchError>(latencies)
        });
    }
    gather(clients, shape.batch, started).await
}
