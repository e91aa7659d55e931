//! Load: ingest at a steady rate from many clients while staff page
//! through the log and open analytics; latencies, failures and the
//! server's memory over the run.

use crate::{
    ingest::{self, Request},
    latency::quantile_ms,
    server::{admin_session, client, Install},
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::time::MissedTickBehavior;

#[derive(Clone, Debug)]
pub struct LoadConfig {
    pub clients: usize,
    /// Events per second across all clients.
    pub rate: u64,
    /// Events per request.
    pub batch: usize,
    /// Staff sessions paging and opening analytics.
    pub staff: usize,
    pub duration: Duration,
}

#[derive(Debug, Default)]
pub struct LoadReport {
    pub config: Option<LoadConfig>,
    pub events: u64,
    pub events_per_sec: f64,
    pub ingest_p50_ms: f64,
    pub ingest_p99_ms: f64,
    pub pages: usize,
    pub page_p50_ms: f64,
    pub page_p99_ms: f64,
    pub analytics: usize,
    pub analytics_p50_ms: f64,
    pub analytics_p99_ms: f64,
    /// Requests answered other than 200, or not at all.
    pub failed: Vec<String>,
    /// The server's own memory (`RssAnon`) after the warm-up, at the end,
    /// and at most; and its mapped files at the end.
    pub rss_start_kb: u64,
    pub rss_end_kb: u64,
    pub rss_max_kb: u64,
    pub mapped_end_kb: u64,
}

impl LoadReport {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.failed.is_empty() {
            problems.push(format!(
                "{} requests failed, e.g. {:?}",
                self.failed.len(),
                &self.failed[..self.failed.len().min(5)]
            ));
        }
        if self.events == 0 || self.pages == 0 || self.analytics == 0 {
            problems.push("nothing was measured".into());
        }
        problems
    }

    pub fn print(&self) {
        let config = self.config.clone().expect("a run's configuration");
        println!(
            "load ({} ingest clients at {} events/s in requests of {}, {} staff, {:.0} s)",
            config.clients,
            config.rate,
            config.batch,
            config.staff,
            config.duration.as_secs_f64()
        );
        println!(
            "  ingest                       {} events, {:.0} events/s, p50 {:.1} ms, p99 {:.1} ms",
            self.events, self.events_per_sec, self.ingest_p50_ms, self.ingest_p99_ms
        );
        println!(
            "  log pages                    {} loaded, p50 {:.1} ms, p99 {:.1} ms",
            self.pages, self.page_p50_ms, self.page_p99_ms
        );
        println!(
            "  analytics pages              {} loaded, p50 {:.1} ms, p99 {:.1} ms",
            self.analytics, self.analytics_p50_ms, self.analytics_p99_ms
        );
        println!("  failed requests              {}", self.failed.len());
        println!(
            "  server's own memory          {} MB after warm-up, {} MB at end, {} MB at most \
             (and {} MB of the database file mapped at the end)",
            self.rss_start_kb / 1024,
            self.rss_end_kb / 1024,
            self.rss_max_kb / 1024,
            self.mapped_end_kb / 1024
        );
    }
}

type Timings = Arc<Mutex<Vec<Duration>>>;
type Failures = Arc<Mutex<Vec<String>>>;

/// Runs the load against a fresh SQLite installation.
pub async fn run(config: &LoadConfig) -> LoadReport {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let install = Install::sqlite(dir.path());
    let mut keys = Vec::new();
    for slug in ["acme", "globex"] {
        install.cli(&["create-tenant", "--slug", slug]);
        keys.push(install.cli(&["create-api-key", "--tenant", slug]));
    }
    let server = install.serve().await;
    let base = install.base();
    let deadline = Instant::now() + config.duration;
    let (ingested, pages, analytics) = (Timings::default(), Timings::default(), Timings::default());
    let failed = Failures::default();

    let mut tasks = Vec::new();
    // Each client sends one request per interval: the rate, spread evenly.
    let every = Duration::from_secs_f64(
        config.clients as f64 * config.batch as f64 / config.rate.max(1) as f64,
    );
    for c in 0..config.clients {
        let (base, keys, ingested, failed) =
            (base.clone(), keys.clone(), ingested.clone(), failed.clone());
        let batch = config.batch;
        tasks.push(tokio::spawn(async move {
            let http = client();
            let mut rng = StdRng::seed_from_u64(c as u64);
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            // Clients start spread over one interval, not all at once.
            tokio::time::sleep(every.mul_f64(c as f64 / 64.0)).await;
            let mut seq = 0;
            while Instant::now() < deadline {
                tick.tick().await;
                seq += 1;
                let request = sized(&mut rng, &keys, c, seq, batch);
                let started = Instant::now();
                match ingest::send(&http, &base, &request).await {
                    ingest::Sent::Acked(_) => lock(&ingested).push(started.elapsed()),
                    ingest::Sent::Refused(status, body) => {
                        lock(&failed).push(format!("ingest {status} {body:.200}"))
                    }
                    ingest::Sent::Lost => lock(&failed).push("ingest: no answer".into()),
                }
            }
        }));
    }
    for s in 0..config.staff {
        let (base, pages, analytics, failed) = (
            base.clone(),
            pages.clone(),
            analytics.clone(),
            failed.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let session = admin_session(&base).await;
            let views = [
                ("/?range=24h", false),
                ("/?range=7d&tenant=acme", false),
                ("/?range=30d&outcome=failure", false),
                ("/?range=30d&q=licence", false),
                ("/?range=7d&action=user.*", false),
                ("/analytics?range=24h", true),
                ("/analytics?range=7d&tenant=globex", true),
            ];
            let mut n = s;
            while Instant::now() < deadline {
                let (path, is_analytics) = views[n % views.len()];
                n += 1;
                let started = Instant::now();
                match session.get(format!("{base}{path}")).send().await {
                    Ok(response) if response.status() == 200 => {
                        let _ = response.bytes().await;
                        let took = started.elapsed();
                        lock(if is_analytics { &analytics } else { &pages }).push(took);
                    }
                    Ok(response) => lock(&failed).push(format!("{path} {}", response.status())),
                    Err(err) => lock(&failed).push(format!("{path}: {err}")),
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }));
    }

    // The server's memory: after a warm-up, then until the end.
    let warm_up = config.duration.min(Duration::from_secs(10));
    tokio::time::sleep(warm_up).await;
    let own = |server: &crate::server::Server| server.memory_kb().unwrap_or((0, 0));
    let rss_start_kb = own(&server).0;
    let mut rss_max_kb = rss_start_kb;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss_max_kb = rss_max_kb.max(own(&server).0);
    }
    for task in tasks {
        let _ = task.await;
    }
    let (rss_end_kb, mapped_end_kb) = own(&server);

    let (ingest_p50_ms, ingest_p99_ms) = percentiles(&ingested);
    let (page_p50_ms, page_p99_ms) = percentiles(&pages);
    let (analytics_p50_ms, analytics_p99_ms) = percentiles(&analytics);
    let events = (lock(&ingested).len() * config.batch) as u64;
    let failed = lock(&failed).clone();
    let (page_count, analytics_count) = (lock(&pages).len(), lock(&analytics).len());
    LoadReport {
        config: Some(config.clone()),
        events,
        events_per_sec: events as f64 / config.duration.as_secs_f64(),
        ingest_p50_ms,
        ingest_p99_ms,
        pages: page_count,
        page_p50_ms,
        page_p99_ms,
        analytics: analytics_count,
        analytics_p50_ms,
        analytics_p99_ms,
        failed,
        rss_start_kb,
        rss_end_kb,
        rss_max_kb: rss_max_kb.max(rss_end_kb),
        mapped_end_kb,
    }
}

/// A request of exactly `batch` events (the rate must be steady).
fn sized(rng: &mut StdRng, keys: &[String], client: usize, seq: u64, batch: usize) -> Request {
    let markers: Vec<String> = (0..batch)
        .map(|i| format!("load c{client} r{seq} e{i}"))
        .collect();
    let events: Vec<_> = markers
        .iter()
        .map(|m| ingest::event("user.login", m, rng.gen_range(0..500)))
        .collect();
    Request {
        api_key: keys[rng.gen_range(0..keys.len())].clone(),
        idempotency_key: None,
        body: if batch == 1 {
            events.into_iter().next().expect("one event")
        } else {
            serde_json::Value::Array(events)
        },
        markers,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().expect("a timing list")
}

/// p50 and p99 in milliseconds.
fn percentiles(timings: &Timings) -> (f64, f64) {
    let all = lock(timings);
    (quantile_ms(&all, 0.50), quantile_ms(&all, 0.99))
}
