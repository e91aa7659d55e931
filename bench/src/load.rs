//! Concurrent ingest, as a platform sends it: many application processes,
//! each sending its next request the moment the last one is answered. One
//! event per request (what audit SDKs do per user action) and batches.
//! Figures: events per second and each request's latency (p50, p99).

use chrono::Utc;
use serde_json::Value;
use server::demo::{Generator, PROFILES};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

pub(crate) type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// A running server and one ingest key per tenant, in `PROFILES` order.
pub(crate) struct Target {
    /// `http://host:port`.
    pub base: String,
    pub keys: Vec<String>,
}

/// How the load is sent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub clients: usize,
    /// Events per request; 1 sends a single JSON object, as SDKs do.
    pub batch: usize,
    pub seconds: f64,
}

impl Shape {
    pub(crate) fn label(&self) -> String {
        if self.batch == 1 {
            format!("single events, {} clients", self.clients)
        } else {
            format!("batches of {}, {} clients", self.batch, self.clients)
        }
    }
}

/// What one shape achieved.
pub(crate) struct Figures {
    pub events: usize,
    pub secs: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Figures {
    /// From every request's latency (ms), each of `batch` events, over `secs`.
    pub(crate) fn from_latencies(mut latencies: Vec<f64>, batch: usize, secs: f64) -> Figures {
        latencies.sort_by(|a, b| a.total_cmp(b));
        let p = |q: f64| {
            latencies
                .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        Figures {
            events: latencies.len() * batch,
            secs,
            p50_ms: p(0.50),
            p99_ms: p(0.99),
        }
    }

    pub(crate) fn rate(&self) -> f64 {
        self.events as f64 / self.secs
    }

    pub(crate) fn line(&self, label: &str) -> String {
        format!(
            "{label}: {} events in {:.1} s = {:.0} events/s, request p50 {:.1} ms, p99 {:.1} ms",
            self.events,
            self.secs,
            self.rate(),
            self.p50_ms,
            self.p99_ms
        )
    }
}

/// Sends `shape`'s load at `target` until its time is up; every request must
/// be accepted (a refusal fails the run: a figure with errors means nothing).
pub(crate) async fn drive(target: &Target, shape: Shape, seed: u64) -> Result<Figures, BenchError> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(shape.clients)
        .build()?;
    let url = format!("{}/api/v1/events", target.base);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(shape.seconds);
    let mut clients = JoinSet::new();
    for c in 0..shape.clients {
        let (client, url) = (client.clone(), url.clone());
        let key = target.keys[c % target.keys.len()].clone();
        let tenant = c % target.keys.len().min(PROFILES.len());
        clients.spawn(async move {
            let mut generator = Generator::new(seed.wrapping_mul(1_000) + c as u64);
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let mut events: Vec<Value> = (0..shape.batch)
                    .map(|_| generator.event(tenant, Utc::now()))
                    .collect();
                let body = if shape.batch == 1 {
                    serde_json::to_vec(&events.pop())?
                } else {
                    serde_json::to_vec(&events)?
                };
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&key)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = response.status();
                let answer = response.text().await?;
                if !status.is_success() {
                    return Err(format!("ingest answered {status}: {answer}").into());
                }
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, BenchError>(latencies)
        });
    }
    gather(clients, shape.batch, started).await
}

/// Every client's request latencies (ms), once all are done, as figures.
pub(crate) async fn gather(
    mut clients: JoinSet<Result<Vec<f64>, BenchError>>,
    batch: usize,
    started: Instant,
) -> Result<Figures, BenchError> {
    let mut latencies = Vec::new();
    while let Some(done) = clients.join_next().await {
        latencies.extend(done??);
    }
    Ok(Figures::from_latencies(
        latencies,
        batch,
        started.elapsed().as_secs_f64(),
    ))
}
