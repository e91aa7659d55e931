//! Ingest, paging and export: ingest throughput through the HTTP API against raw sqlx
//! inserts on the same schema, the same rows appended through the store with
//! and without the hash chain, then keyset page latency deep into the log.
//! Then CSV export throughput and memory (see `export`).
//! Everything runs on temporary SQLite databases in one process and one run,
//! so the printed ratios compare like with like.

use crate::{dataset, export, queries, CliResult};
use app::{
    model::{EventFilter, PageRequest, Tenant, Terms},
    store::{
        raw::{
            insert_events, resolve_user_agents, rollup_statements, KnownAgents, Stamped,
            INSERT_CHUNK,
        },
        NewApiKey, NewEvent, SqliteStore, Store, TenantScope,
    },
};
use chrono::{DateTime, Duration, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::Value;
use server::{
    config::Limits,
    demo::{Generator, TenantProfile, PROFILES},
    http::{bind, AppState},
    ingest, keys,
};
use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Instant,
};

const DAYS: i64 = 40;
const SAMPLES: usize = 200;
const DEEP_ROWS: usize = 100_000;

/// The filter timings' database and which cases to run.
pub(crate) struct Queries {
    pub events: usize,
    pub path: PathBuf,
    pub case: Option<String>,
    pub runs: usize,
}

impl Queries {
    pub(crate) async fn run(self) -> CliResult {
        queries::run(&self.path, self.events, self.case.as_deref(), self.runs).await
    }
}

/// The export figures alone, on a kept database of `events` events loaded
/// the way the query figures' database is.
pub(crate) async fn export_only(path: &Path, events: usize) -> CliResult {
    let store = dataset::open(path, events, Utc::now()).await?;
    let addr = serve(store.clone()).await?;
    let bare = crate::queries::Bare::Sqlite(store.read_pool().clone());
    export::run(&*store, &bare, addr).await
}

/// The server on `store`, at a free loopback port.
pub(crate) async fn serve(
    store: Arc<dyn Store>,
) -> Result<std::net::SocketAddr, Box<dyn std::error::Error + Send + Sync>> {
    let state = AppState::new(store, Path::new("target/site"), Limits::default());
    Ok(bind(state, "127.0.0.1:0".parse()?).await?.spawn())
}

pub(crate) async fn run(events: usize, batch: usize) -> CliResult {
    let dir = tempfile::tempdir()?;
    println!(
        "bench: {events} events in batches of {batch}, temporary SQLite databases in {}",
        dir.path().display()
    );

    let (http_store, http_tenants) = fresh_store(&dir.path().join("http.db")).await?;
    let (raw_store, raw_tenants) = fresh_store(&dir.path().join("raw.db")).await?;
    let (chained_store, chained_tenants) = fresh_store(&dir.path().join("chained.db")).await?;
    // What the search and filter indexes cost: the same raw inserts without
    // the free-text triggers, then also without the indexes for IP and
    // resource type and id.
    let (bare_store, _) = fresh_store(&dir.path().join("bare.db")).await?;
    let (lean_store, _) = fresh_store(&dir.path().join("lean.db")).await?;
    // And what the analytics rollups cost: the raw inserts without them.
    let (unrolled_store, _) = fresh_store(&dir.path().join("unrolled.db")).await?;
    for store in [&bare_store, &lean_store] {
        sqlx::query("DROP TRIGGER events_fts_insert; DROP TRIGGER seq_blocks_insert")
            .execute(store.write_pool())
            .await?;
    }
    sqlx::query(
        "DROP INDEX events_tenant_resource_type; DROP INDEX events_tenant_resource_id; \
         DROP INDEX events_tenant_ip",
    )
    .execute(lean_store.write_pool())
    .await?;
    let mut api_keys = Vec::new();
    for tenant in &http_tenants {
        api_keys.push(bench_key(http_store.as_ref(), tenant.id).await?);
    }
    let addr = serve(http_store.clone()).await?;
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/api/v1/events");

    let now = Utc::now();
    let mut workload = Workload::new(now, events);
    let mut raw_seqs = vec![0_i64; raw_tenants.len()];
    let mut bare_seqs = raw_seqs.clone();
    let mut lean_seqs = raw_seqs.clone();
    let mut unrolled_seqs = raw_seqs.clone();
    let (mut http_secs, mut raw_secs, mut chained_secs) = (0.0_f64, 0.0_f64, 0.0_f64);
    let (mut bare_secs, mut lean_secs, mut unrolled_secs) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut sent = 0;
    while sent < events {
        let size = batch.min(events - sent);
        let (tenant, wire) = workload.batch(size);
        sent += size;

        // Through the API: JSON, auth, validation, hashing, durable commit.
        let body = serde_json::to_vec(&wire)?;
        let started = Instant::now();
        let response = client
            .post(&url)
            .bearer_auth(&api_keys[tenant])
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let _ = response.bytes().await?;
        http_secs += started.elapsed().as_secs_f64();
        if !status.is_success() {
            return Err(format!("ingest answered {status}").into());
        }

        // Raw: the same rows, already validated, inserted directly with
        // sequence numbers but no chain: no head read, no hashing.
        let rows = to_new_events(&wire, &raw_tenants[tenant].slug, now)?;
        let id = raw_tenants[tenant].id;
        raw_secs += raw_insert(&raw_store, id, &mut raw_seqs[tenant], now, &rows, true).await?;
        unrolled_secs += raw_insert(
            &unrolled_store,
            id,
            &mut unrolled_seqs[tenant],
            now,
            &rows,
            false,
        )
        .await?;
        bare_secs += raw_insert(&bare_store, id, &mut bare_seqs[tenant], now, &rows, false).await?;
        lean_secs += raw_insert(&lean_store, id, &mut lean_seqs[tenant], now, &rows, false).await?;

        // Chained: the same rows through the store's append, which reads the
        // tenant's head and hashes every event inside the write transaction.
        let started = Instant::now();
        chained_store
            .append(chained_tenants[tenant].id, &rows, None)
            .await?;
        chained_secs += started.elapsed().as_secs_f64();
    }
    let http_rate = events as f64 / http_secs;
    let raw_rate = events as f64 / raw_secs;
    let chained_rate = events as f64 / chained_secs;
    println!("ingest via HTTP API, batches of {batch}: {events} events in {http_secs:.1} s = {http_rate:.0} events/s");
    println!("raw sqlx inserts without the chain, same schema, indexes and rollups: {events} events in {raw_secs:.1} s = {raw_rate:.0} events/s");
    println!("store append with the chain (head read + SHA-256 per event): {events} events in {chained_secs:.1} s = {chained_rate:.0} events/s");
    let unrolled_rate = events as f64 / unrolled_secs;
    let bare_rate = events as f64 / bare_secs;
    let lean_rate = events as f64 / lean_secs;
    println!("raw sqlx inserts without the analytics rollups: {events} events in {unrolled_secs:.1} s = {unrolled_rate:.0} events/s");
    println!("raw sqlx inserts without the rollups and the free-text index: {events} events in {bare_secs:.1} s = {bare_rate:.0} events/s");
    println!("raw sqlx inserts without the rollups, the free-text index and the IP and resource indexes: {events} events in {lean_secs:.1} s = {lean_rate:.0} events/s");
    println!(
        "the rollups cost {:.1}% of raw insert throughput, the free-text index {:.1}% more, the three filter indexes {:.1}% more",
        (1.0 - raw_rate / unrolled_rate) * 100.0,
        (1.0 - unrolled_rate / bare_rate) * 100.0,
        (1.0 - bare_rate / lean_rate) * 100.0
    );
    println!("ingest HTTP / raw sqlx ratio: {:.2}", http_rate / raw_rate);
    println!(
        "with chain / without chain ratio: {:.2} (the chain costs {:.1}% of ingest throughput; limit 15%)",
        chained_rate / raw_rate,
        (1.0 - chained_rate / raw_rate) * 100.0
    );

    pages(http_store.as_ref(), &http_tenants[0], now).await?;
    // The other databases' page caches would otherwise be freed whenever
    // their idle connections were reaped, in the middle of the export's
    // memory figures.
    for store in [
        &raw_store,
        &chained_store,
        &bare_store,
        &lean_store,
        &unrolled_store,
    ] {
        store.close().await;
    }
    let bare = crate::queries::Bare::Sqlite(http_store.read_pool().clone());
    export::run(&*http_store, &bare, addr).await
}

/// Inserts `rows` straight into `store`'s events table in one transaction,
/// without the chain, counting them into the rollups when `rollups`;
/// returns the seconds it took.
async fn raw_insert(
    store: &SqliteStore,
    tenant_id: i64,
    seq: &mut i64,
    now: DateTime<Utc>,
    rows: &[NewEvent],
    rollups: bool,
) -> Result<f64, Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    let before = *seq;
    let stamped = unchained(tenant_id, seq, now, rows);
    let mut tx = store.write_pool().begin().await?;
    // The bench's few dozen user agents: found in the dictionary each time.
    let texts = rows.iter().filter_map(|e| e.user_agent.as_deref());
    let agents =
        resolve_user_agents::<SqliteStore>(&mut tx, &KnownAgents::default(), texts).await?;
    for chunk in stamped.chunks(INSERT_CHUNK) {
        insert_events::<sqlx::Sqlite>(chunk, &agents)?
            .to_sqlx()
            .execute(&mut *tx)
            .await?;
    }
    if rollups {
        for sql in rollup_statements() {
            sqlx::query(sql)
                .bind(tenant_id)
                .bind(before)
                .bind(*seq)
                .bind(1_i64)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(started.elapsed().as_secs_f64())
}

/// Sequence numbers only: what storing costs before any hashing.
pub(crate) fn unchained<'e>(
    tenant_id: i64,
    seq: &mut i64,
    now: DateTime<Utc>,
    rows: &'e [NewEvent],
) -> Vec<Stamped<'e>> {
    rows.iter()
        .map(|event| {
            *seq += 1;
            Stamped {
                event,
                tenant_id,
                seq: *seq,
                received_us: now.timestamp_micros(),
                prev_hash: String::new(),
                hash: String::new(),
            }
        })
        .collect()
}

/// A new key for the tenant that may ingest and read; its plaintext.
pub(crate) async fn bench_key(
    store: &dyn Store,
    tenant_id: i64,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let key = keys::generate();
    store
        .insert_api_key(&NewApiKey {
            tenant_id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: "bench".into(),
            created_by: None,
            scopes: app::model::KeyScopes::ALL,
        })
        .await?;
    Ok(key.plaintext)
}

pub(crate) async fn fresh_store(
    path: &Path,
) -> Result<(Arc<SqliteStore>, Vec<Tenant>), Box<dyn std::error::Error + Send + Sync>> {
    let store =
        Arc::new(SqliteStore::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?);
    store.migrate().await?;
    let mut tenants = Vec::new();
    for TenantProfile { slug, name, .. } in PROFILES {
        tenants.push(store.ensure_tenant(slug, name).await?);
    }
    Ok((store, tenants))
}

pub(crate) fn to_new_events(
    wire: &[Value],
    slug: &str,
    now: DateTime<Utc>,
) -> Result<Vec<NewEvent>, Box<dyn std::error::Error + Send + Sync>> {
    let mut ids = ulid::Generator::new();
    wire.iter()
        .map(|v| {
            Ok(ingest::validate(
                serde_json::from_value(v.clone())?,
                slug,
                ids.generate()?.to_string(),
                now,
                &ingest::Rules::default(),
            )?)
        })
        .collect()
}

/// Batches of generated events: 80% for the first tenant, so one
/// tenant+action+30-day filter reaches well past 100,000 rows. Like live
/// traffic, time moves forward through the run (40 days from first to last
/// event) with a few minutes of jitter from senders' clocks and retries.
pub(crate) struct Workload {
    generator: Generator,
    rng: StdRng,
    now: DateTime<Utc>,
    sent: usize,
    total: usize,
    skewed: bool,
}

impl Workload {
    pub(crate) fn new(now: DateTime<Utc>, total: usize) -> Self {
        Workload {
            generator: Generator::new(1),
            rng: StdRng::seed_from_u64(2),
            now,
            sent: 0,
            total: total.max(1),
            skewed: false,
        }
    }

    /// The query benchmark's traffic: as `new`, plus what real logs do to
    /// indexes. A burst (`Burst`) fills two days with one integration's
    /// licence checks, and the smallest tenant (`SMALL_TENANT`) gets a
    /// quarter of its share, so the largest holds over 100 times its events.
    pub(crate) fn skewed(now: DateTime<Utc>, total: usize) -> Self {
        Workload {
            skewed: true,
            ..Workload::new(now, total)
        }
    }

    pub(crate) fn batch(&mut self, size: usize) -> (usize, Vec<Value>) {
        let mut tenant = if self.rng.gen_bool(0.8) {
            0
        } else {
            self.generator.pick_tenant()
        };
        let burst = self.skewed && Burst::covers(self.sent, self.total);
        if burst || (self.skewed && tenant == SMALL_TENANT && self.rng.gen_bool(0.75)) {
            tenant = 0;
        }
        let events = (0..size)
            .map(|_| {
                let remaining = (self.total - self.sent.min(self.total)) as i64;
                let behind = remaining * DAYS * 86_400 / self.total as i64;
                let jitter = self.rng.gen_range(0..300);
                self.sent += 1;
                let at = self.now - Duration::seconds(behind + jitter);
                let mut event = self.generator.event(tenant, at);
                if burst {
                    Burst::shape(&mut event, self.sent);
                }
                event
            })
            .collect();
        (tenant, events)
    }
}

/// The tenant the skewed workload starves (PROFILES' last, paybridge).
pub(crate) const SMALL_TENANT: usize = 3;

/// A burst of licence checks from one integration: every event from 90% to
/// 95% of the run (two of its 40 days, from four to two days before the
/// newest event) is the same successful `license.validated` by one system actor
/// from one address, all for the largest tenant; one in 1,000 fails.
pub(crate) struct Burst;

impl Burst {
    pub(crate) const ACTOR: &'static str = "svc_license_sync";
    pub(crate) const IP: &'static str = "10.20.30.40";
    pub(crate) const ACTION: &'static str = "license.validated";

    fn covers(sent: usize, total: usize) -> bool {
        (total * 90 / 100..total * 95 / 100).contains(&sent)
    }

    fn shape(event: &mut Value, n: usize) {
        event["actor"] = serde_json::json!({
            "id": Burst::ACTOR, "name": "Licence sync", "type": "system",
        });
        event["action"] = Burst::ACTION.into();
        event["category"] = "keys".into();
        event["event_type"] = "validated".into();
        let failed = n.is_multiple_of(1_000);
        event["outcome"] = if failed { "failure" } else { "success" }.into();
        event["severity"] = if failed { "notice" } else { "info" }.into();
        event["ip"] = Burst::IP.into();
        event["before"] = Value::Null;
        event["after"] = Value::Null;
        event["description"] = format!("Licence sync validated licence #{:04}", n % 10_000).into();
    }
}

/// p50 / p95 of the first page and of a page `DEEP_ROWS` rows in, for the
/// tenant + action + last-30-days filter, measured at the store.
async fn pages(store: &dyn Store, tenant: &Tenant, now: DateTime<Utc>) -> CliResult {
    let scope = TenantScope::tenant(tenant.id);
    let filter = EventFilter {
        is: Terms {
            actions: vec!["license.created".into()],
            ..Default::default()
        },
        from: Some(now - Duration::days(30)),
        ..Default::default()
    };
    let first = PageRequest::first(50);
    let mut cursor = None;
    let mut walked = 0;
    while walked < DEEP_ROWS {
        let step = PageRequest {
            older_than: cursor,
            newer_than: None,
            limit: app::store::MAX_PAGE,
        };
        let page = store.list_events(&scope, &filter, &step).await?;
        walked += page.events.len();
        match page.older {
            Some(next) => cursor = Some(next),
            None => {
                return Err(
                    format!("the filter matched only {walked} rows; run with more events").into(),
                )
            }
        }
    }
    let deep = PageRequest {
        older_than: cursor,
        newer_than: None,
        limit: 50,
    };
    for (label, request) in [("first page", &first), ("page 100000 rows deep", &deep)] {
        let mut samples = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let page = store.list_events(&scope, &filter, request).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            if page.events.len() != 50 {
                return Err(format!("{label} returned {} rows", page.events.len()).into());
            }
        }
        samples.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{label}, tenant+action+30-day filter ({SAMPLES} runs): p50 {:.2} ms, p95 {:.2} ms",
            p(0.50),
            p(0.95)
        );
    }
    Ok(())
}
