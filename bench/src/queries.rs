//! First-page latency of the log table on a large database, for every kind
//! of filter and several combinations, at the store (what a server function
//! waits for, notes included) beside the same SQL run directly in sqlx. Each
//! case also prints SQLite's plan, so a full scan shows.

use crate::dataset::{self, COMMON_TAG, RARE_IP, RARE_TAG, RARE_WORD};
use crate::ingest::{Burst, SMALL_TENANT};
use crate::CliResult;
use app::{
    model::{EventFilter, PageRequest},
    store::{
        raw::{explain_events, page_splits, select_events, Scalar, Sql},
        Backend, PgStore, SqliteStore, Store, TenantScope,
    },
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use server::demo::PROFILES;
use sqlx::{PgPool, Row, SqlitePool};
use std::{path::Path, time::Instant};

/// Runs per case unless `--runs` says otherwise.
pub(crate) const RUNS: usize = 40;
const PAGE: u32 = 50;
/// The bound on a first page's p95.
const BUDGET_MS: f64 = 20.0;

pub(crate) async fn run(
    path: &Path,
    events: usize,
    case_filter: Option<&str>,
    runs: usize,
) -> CliResult {
    let store = dataset::open(path, events, Utc::now()).await?;
    let bare = Bare::Sqlite(store.read_pool().clone());
    run_cases(&*store, &bare, case_filter, runs).await
}

/// The database under a store, for the baselines and plans that look
/// beneath it.
pub(crate) enum Bare {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Every filter case, then the analytics page, on a database the query
/// workload filled (`dataset` for SQLite, `postgres` for PostgreSQL).
pub(crate) async fn run_cases<B: Backend>(
    store: &B,
    bare: &Bare,
    case_filter: Option<&str>,
    runs: usize,
) -> CliResult {
    let mut tx = store.scoped_read(&TenantScope::all_tenants()).await?;
    let (tenant_id, actor_ip): (i64, String) = Sql::<B::Db>::new(
        "SELECT t.id, e.ip FROM events e JOIN tenants t ON t.id = e.tenant_id \
         WHERE t.slug = 'keyforge' AND e.actor_id = 'usr_keyforge_04' LIMIT 1",
    )
    .fetch_one(&mut tx)
    .await?;
    // Windows are placed against the newest event, not the clock: the
    // database is reused, and its events age between runs.
    let newest: i64 = Scalar::<B::Db>::new("SELECT MAX(occurred_at) FROM events")
        .fetch_one(&mut tx)
        .await?;
    tx.commit().await?;
    let newest = DateTime::from_timestamp_micros(newest).unwrap_or_else(Utc::now);
    let at = |d: Duration| (newest - d).to_rfc3339_opts(SecondsFormat::Secs, true);
    let windows = Windows {
        day: (at(Duration::days(10)), at(Duration::days(9))),
        hour: at(Duration::hours(1)),
        burst: (at(Duration::days(4)), at(Duration::days(2))),
    };
    let cases = cases(&actor_ip, &windows);
    println!(
        "first page of {PAGE}, default 30-day range unless the query names one; p50 / p95 over {runs} runs"
    );
    println!(
        "{:<46} {:>6} {:>17} {:>17}",
        "filter", "rows", "store p50/p95 ms", "sqlx p50/p95 ms"
    );
    let mut over = Vec::new();
    for (label, all_tenants, query) in cases {
        if case_filter.is_some_and(|f| !label.contains(f)) {
            continue;
        }
        let scope = if all_tenants {
            TenantScope::all_tenants()
        } else {
            TenantScope::tenant(tenant_id)
        };
        let filter = EventFilter::parse_query(&query)
            .map_err(|e| format!("{label}: {e}"))?
            .or_default_range();
        let page = PageRequest::first(PAGE);
        let (rows, store_ms) = time_store(store, &scope, &filter, &page, runs).await?;
        let sqlx_ms = time_sqlx(store, &scope, &filter, &page, runs).await?;
        let who = if all_tenants {
            "all tenants"
        } else {
            "one tenant"
        };
        println!(
            "{:<46} {rows:>6} {:>8.2} /{:>7.2} {:>8.2} /{:>7.2}",
            format!("{label} ({who})"),
            store_ms.0,
            store_ms.1,
            sqlx_ms.0,
            sqlx_ms.1
        );
        let reads = match bare {
            // The store walks the words' index instead (see `store::text_walk`).
            Bare::Sqlite(_) if filter.text.is_some() => {
                "events_fts matches newest-ingested first in growing chunks; each chunk's events \
                 by (tenant_id, seq); seq_blocks says when to stop"
                    .to_string()
            }
            Bare::Sqlite(pool) => plan(pool, &scope, &filter, &page).await?,
            Bare::Postgres(pool) => pg_plan(pool, &scope, &filter, &page).await?,
        };
        println!("    reads: {reads}");
        if store_ms.1 > BUDGET_MS {
            over.push(label);
        }
    }
    if over.is_empty() {
        println!("every filter's first page: p95 within {BUDGET_MS} ms");
    } else {
        println!("over {BUDGET_MS} ms at p95: {}", over.join(", "));
    }
    if case_filter.is_none_or(|f| "analytics".contains(f)) {
        crate::analytics::run(store, tenant_id, newest).await?;
    }
    Ok(())
}

/// (label, across all tenants?, query-bar text).
/// Query-bar times of one day ten days before the newest event, and of the
/// start of its last hour.
struct Windows {
    day: (String, String),
    hour: String,
    /// The burst's two days (see `Burst`).
    burst: (String, String),
}

fn cases(actor_ip: &str, windows: &Windows) -> Vec<(String, bool, String)> {
    let (day, day_end) = &windows.day;
    let hour = &windows.hour;
    let (burst_from, burst_to) = &windows.burst;
    let small = PROFILES[SMALL_TENANT].slug;
    let one = |label: &str, query: String| (label.to_string(), false, query);
    let all = |label: &str, query: String| (label.to_string(), true, query);
    vec![
        one("no filter", String::new()),
        one("actor by email", "actor:emeka.moreau@keyforge.io".into()),
        one("actor by name", "actor:\"Emeka Moreau\"".into()),
        one("actor type", "actor_type:staff".into()),
        one("action", "action:license.created".into()),
        one("action prefix", "action:license.*".into()),
        one(
            "three actions",
            "action:license.deleted action:balance.transferred action:team.member.invited".into(),
        ),
        one("category", "category:balance".into()),
        one("event type", "event_type:login_failed".into()),
        one("outcome (rare)", "outcome:denied".into()),
        one("severity", "severity:critical".into()),
        one("resource type", "resource_type:license".into()),
        one(
            "resource",
            "resource_type:license resource_id:license_0042".into(),
        ),
        one("ip (an actor's)", format!("ip:{actor_ip}")),
        one("ip (rare)", format!("ip:{RARE_IP}")),
        one("tag (rare)", format!("tag:{RARE_TAG}")),
        one("tag (1 in 2,000)", format!("tag:{COMMON_TAG}")),
        one("text, rare word", RARE_WORD.into()),
        one("text, common word", "licence".into()),
        one(
            "text phrase + actor",
            "\"reset the hwid\" actor:usr_keyforge_05".into(),
        ),
        one("exclusion only", "-outcome:success".into()),
        one("two exclusions", "-action:user.* -actor_type:system".into()),
        one(
            "actor + action",
            "actor:emeka.moreau@keyforge.io action:license.created".into(),
        ),
        one(
            "action prefix, not success",
            "action:license.* -outcome:success".into(),
        ),
        one(
            "category + severity + outcome",
            "category:keys severity:critical outcome:success".into(),
        ),
        one("actor + ip", format!("actor:usr_keyforge_04 ip:{actor_ip}")),
        one(
            "resource + actor",
            "resource_id:license_0042 actor:usr_keyforge_05".into(),
        ),
        one(
            "one day 10 days ago + action",
            format!("occurred:>={day} occurred:<{day_end} action:license.hwid_reset"),
        ),
        one("the newest hour", format!("occurred:>={hour}")),
        all("no filter", String::new()),
        all("tenant", "tenant:stampy".into()),
        all("action", "action:stamp.added".into()),
        all("actor by email", "actor:emeka.moreau@keyforge.io".into()),
        all("severity", "severity:critical".into()),
        all("exclusion only", "-outcome:success".into()),
        all("ip (rare)", format!("ip:{RARE_IP}")),
        all("text, rare word", RARE_WORD.into()),
        all("tag (rare)", format!("tag:{RARE_TAG}")),
        // Skew: a burst of one integration's successes (`Burst`), and a
        // tenant with under a hundredth of the largest one's events.
        one("burst actor", format!("actor:{}", Burst::ACTOR)),
        one(
            "burst actor, failures",
            format!("actor:{} outcome:failure", Burst::ACTOR),
        ),
        one(
            "burst ip, not success",
            format!("ip:{} -outcome:success", Burst::IP),
        ),
        one("burst action", format!("action:{}", Burst::ACTION)),
        one("not the burst actor", format!("-actor:{}", Burst::ACTOR)),
        one(
            "burst days, not success",
            format!("occurred:>={burst_from} occurred:<{burst_to} -outcome:success"),
        ),
        all("small tenant", format!("tenant:{small}")),
        all(
            "small tenant, not success",
            format!("tenant:{small} -outcome:success"),
        ),
        all("small tenant, a word", format!("tenant:{small} route")),
        all(
            "text, rare word, all time",
            format!("{RARE_WORD} occurred:>=2000-01-01"),
        ),
    ]
}

async fn time_store(
    store: &dyn Store,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    runs: usize,
) -> Result<(usize, (f64, f64)), Box<dyn std::error::Error + Send + Sync>> {
    let mut samples = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let started = Instant::now();
        rows = store.list_events(scope, filter, page).await?.events.len();
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((rows, percentiles(samples)))
}

async fn time_sqlx<B: Backend>(
    store: &B,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    runs: usize,
) -> Result<(f64, f64), Box<dyn std::error::Error + Send + Sync>> {
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        // The statements the store runs, rows undecoded.
        let mut tx = store.scoped_read(scope).await?;
        let splits = page_splits::<B>(&mut tx, scope, filter).await?;
        let walked = B::text_page(&mut tx, scope, filter, page, &splits.tenants).await?;
        if walked.is_none() {
            select_events::<B::Db>(scope, filter, page, &splits)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(percentiles(samples))
}

/// What PostgreSQL's `EXPLAIN` says the page reads: each distinct scan
/// (index and partition) once.
async fn pg_plan(
    pool: &PgPool,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut tx = pool.begin().await?;
    PgStore::enter_scope(&mut tx, scope).await?;
    let splits = page_splits::<PgStore>(&mut tx, scope, filter).await?;
    let select = select_events::<sqlx::Postgres>(scope, filter, page, &splits);
    let mut explain = Sql::<sqlx::Postgres>::new(format!("EXPLAIN {}", select.text()));
    for arg in select.args() {
        explain = explain.bind(arg.clone());
    }
    let rows: Vec<(String,)> = explain.fetch_all(&mut tx).await?;
    tx.commit().await?;
    let mut steps: Vec<String> = Vec::new();
    for (line,) in rows {
        let line = line.trim().trim_start_matches("-> ").trim();
        let Some(scan) = line.split("  (").next() else {
            continue;
        };
        if scan.contains("Scan") && !steps.iter().any(|s| s == scan) {
            steps.push(scan.to_string());
        }
    }
    Ok(steps.join("; "))
}

/// What SQLite's `EXPLAIN QUERY PLAN` says the page reads, each distinct
/// step once (a cross-tenant page repeats its steps per tenant). A bare
/// `SCAN e` would be a full scan of the events table.
async fn plan(
    pool: &SqlitePool,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let mut tx = pool.begin().await?;
    let splits = page_splits::<SqliteStore>(&mut tx, scope, filter).await?;
    let rows = explain_events::<sqlx::Sqlite>(scope, filter, page, &splits)
        .to_sqlx()
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    let mut steps: Vec<String> = Vec::new();
    for row in &rows {
        let detail: String = row.get("detail");
        let relevant = ["SEARCH e ", "SCAN e", "SCAN events_fts", "SEARCH n "]
            .iter()
            .any(|p| detail.starts_with(p));
        if relevant && !steps.contains(&detail) {
            steps.push(detail);
        }
    }
    Ok(steps.join("; "))
}

pub(super) fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (p(0.5), p(0.95))
}
