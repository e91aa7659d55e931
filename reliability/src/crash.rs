//! Crash durability: concurrent ingest into the release binary, killed with
//! SIGKILL at random moments and restarted, then everything it promised
//! checked: each acknowledged event stored exactly once, the database whole
//! without repair, chains and rollups verified, every alert delivered. On
//! SQLite the kill also leaves the database file mid-write; on PostgreSQL
//! (a cluster of the run's own) it leaves transactions and pooled
//! connections open on the server side.

use crate::{
    ingest::{self, Ledger, Shared, ALERTED_ACTION},
    latency::quantile_ms,
    postgres::Cluster,
    receiver::Receiver,
    server::{admin_session, Install},
    stores::{self, Stored},
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::watch;

/// How hard to push.
#[derive(Clone, Debug)]
pub struct CrashConfig {
    /// SIGKILLs, each followed by a restart.
    pub kills: usize,
    /// Concurrent ingest clients.
    pub clients: usize,
    /// The longest a server runs under load before it is killed.
    pub max_run: Duration,
    pub seed: u64,
    pub backend: Backend,
}

/// Where the killed server keeps its log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    #[default]
    Sqlite,
    Postgres,
}

/// What the run found; `problems()` is empty when every promise held.
#[derive(Debug, Default)]
pub struct CrashReport {
    pub backend: Backend,
    pub kills: usize,
    pub clients: usize,
    pub events_acked: usize,
    pub requests_acked: usize,
    /// Keyed requests left unanswered by a kill and sent again after it.
    pub resent: usize,
    /// Unkeyed events left unanswered by a kill: stored / not stored.
    pub unanswered_stored: usize,
    pub unanswered_absent: usize,
    /// Acknowledged events missing afterwards.
    pub lost: Vec<String>,
    /// Events stored more than once (by their unique description).
    pub duplicates: Vec<String>,
    /// Restarts after which the database passed its integrity check.
    pub intact: usize,
    /// Restarts after which `logbook verify` passed (chains and rollups).
    pub verified: usize,
    pub verify_failures: Vec<String>,
    /// Keyed requests that a restarted server would not take.
    pub resend_failures: Vec<String>,
    /// Alerting: events matching the rule, and deliveries received.
    pub alerts_expected: usize,
    pub alerts_missing: usize,
    pub alerts_received: usize,
    /// The same delivery received again (a kill between send and record).
    pub alerts_repeated: usize,
    pub ingest_p99_ms: f64,
    pub elapsed: Duration,
}

impl CrashReport {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.lost.is_empty() {
            problems.push(format!(
                "{} acknowledged events lost, e.g. {:?}",
                self.lost.len(),
                &self.lost[..self.lost.len().min(5)]
            ));
        }
        if !self.duplicates.is_empty() {
            problems.push(format!(
                "{} events stored twice, e.g. {:?}",
                self.duplicates.len(),
                &self.duplicates[..self.duplicates.len().min(5)]
            ));
        }
        if self.intact < self.kills {
            problems.push(format!(
                "integrity check passed after {} of {} kills",
                self.intact, self.kills
            ));
        }
        if self.verified < self.kills {
            problems.push(format!(
                "logbook verify passed after {} of {} kills: {:?}",
                self.verified, self.kills, self.verify_failures
            ));
        }
        problems.extend(self.resend_failures.iter().cloned());
        if self.alerts_missing > 0 {
            problems.push(format!(
                "{} of {} alerts never delivered",
                self.alerts_missing, self.alerts_expected
            ));
        }
        if self.events_acked == 0 {
            problems.push("no event was acknowledged".into());
        }
        problems
    }

    pub fn print(&self) {
        println!(
            "crash durability (kill -9 under {} concurrent ingest clients, {:?})",
            self.clients, self.backend
        );
        println!("  kills                        {}", self.kills);
        println!(
            "  acknowledged                 {} events in {} requests (p99 {:.1} ms)",
            self.events_acked, self.requests_acked, self.ingest_p99_ms
        );
        println!("  keyed requests resent        {}", self.resent);
        println!(
            "  unanswered unkeyed events    {} stored, {} not (either is allowed)",
            self.unanswered_stored, self.unanswered_absent
        );
        println!("  acknowledged events lost     {}", self.lost.len());
        println!("  events stored twice          {}", self.duplicates.len());
        let check = match self.backend {
            Backend::Sqlite => "PRAGMA integrity_check",
            Backend::Postgres => "amcheck of every B-tree index",
        };
        println!(
            "  integrity check passed       {}/{} ({check})",
            self.intact, self.kills
        );
        println!(
            "  chains and rollups verified  {}/{}",
            self.verified, self.kills
        );
        println!(
            "  alerts                       {} expected, {} missing, {} received, {} repeated after a kill",
            self.alerts_expected, self.alerts_missing, self.alerts_received, self.alerts_repeated
        );
        println!(
            "  took                         {:.1} s",
            self.elapsed.as_secs_f64()
        );
    }
}

/// Runs the crash trials on a fresh database: SQLite in a scratch
/// directory, or a PostgreSQL cluster started for the run.
pub async fn run(config: &CrashConfig) -> CrashReport {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a scratch directory");
    let receiver = Receiver::start().await;
    let mut install = Install::sqlite(dir.path());
    let cluster = (config.backend == Backend::Postgres).then(Cluster::start);
    if let Some(cluster) = &cluster {
        install.url = cluster.url();
    }
    install.env = alert_timings();
    let keys = set_up(&install, &receiver).await;
    let ledger: Shared = Arc::new(Mutex::new(Ledger::default()));
    let mut report = CrashReport {
        backend: config.backend,
        kills: config.kills,
        clients: config.clients,
        ..CrashReport::default()
    };
    let mut rng = StdRng::seed_from_u64(config.seed);
    for trial in 0..config.kills {
        let mut server = install.serve().await;
        report.resent += install.resend(&ledger, &mut report.resend_failures).await;
        let (stop, stopped) = watch::channel(false);
        let clients = ingest::start(
            config.clients,
            &install.base(),
            &keys,
            &ledger,
            &stopped,
            config.seed + trial as u64 + 1,
        );
        let run_for = rng.gen_range(config.max_run / 10..=config.max_run);
        tokio::time::sleep(run_for).await;
        server.kill(); // SIGKILL, requests in flight
        let _ = stop.send(true);
        for client in clients {
            let _ = client.await;
        }
        check_after_kill(&install, &mut report).await;
    }

    // The last restart: answer what is pending, let the alerts drain.
    let server = install.serve().await;
    report.resent += install.resend(&ledger, &mut report.resend_failures).await;
    let stored = stores::read_events(&install.url).await;
    let expected = stores::alerted(&stored);
    // A delivery claimed by a killed server waits out its lease (2 × the
    // send timeout + 60 s) before another round sends it.
    let delivered = receiver.wait_for(&expected, Duration::from_secs(150)).await;
    drop(server);
    let received = receiver.received();
    let mut per_delivery: HashMap<&str, usize> = HashMap::new();
    for r in &received {
        *per_delivery.entry(&r.delivery).or_default() += 1;
    }
    report.alerts_expected = expected.len();
    report.alerts_missing = expected.difference(&delivered).count();
    report.alerts_received = received.len();
    report.alerts_repeated = per_delivery.values().map(|n| n - 1).sum();

    let ledger = ledger.lock().expect("ledger");
    tally(&ledger, &stored, &mut report);
    report.elapsed = started.elapsed();
    report
}

/// Alerts sent soon and retried soon, to private addresses (the receiver).
pub(crate) fn alert_timings() -> Vec<(String, String)> {
    [
        ("LOGBOOK_ALERTS__ALLOW_PRIVATE_TARGETS", "true"),
        ("LOGBOOK_ALERTS__POLL_MS", "50"),
        ("LOGBOOK_ALERTS__RETRY_BASE_MS", "50"),
        ("LOGBOOK_ALERTS__TIMEOUT_SECS", "2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Tenants `acme` and `globex` with a key each, and an alert on every
/// acme transfer sent to `receiver`.
pub(crate) async fn set_up(install: &Install, receiver: &Receiver) -> Vec<String> {
    let mut keys = Vec::new();
    for slug in ["acme", "globex"] {
        install.cli(&["create-tenant", "--slug", slug]);
        keys.push(install.cli(&["create-api-key", "--tenant", slug]));
    }
    let _server = install.serve().await;
    let session = admin_session(&install.base()).await;
    let call = |path: &str, body: Value| {
        let request = session
            .post(format!("{}/api/{path}", install.base()))
            .json(&body);
        async move {
            let response = request.send().await.expect("the server answers");
            assert_eq!(
                response.status(),
                200,
                "{}",
                response.text().await.unwrap_or_default()
            );
            response.json::<Value>().await.expect("JSON")
        }
    };
    let hook = call(
        "alerts/destinations/save",
        json!({ "form": { "name": "receiver", "tenant": null, "kind": "webhook",
                          "target": receiver.url, "secret": null } }),
    )
    .await;
    call(
        "alerts/rules/save",
        json!({ "form": {
            "id": null, "name": "Every acme transfer", "tenant": "acme",
            "conditions": format!("action:{ALERTED_ACTION}"), "threshold": null,
            "window_minutes": null, "group_by": null, "silence_minutes": null,
            "enabled": true, "destinations": [hook["id"]],
        } }),
    )
    .await;
    keys
}

/// After a kill: the database passes its integrity check as the kill left
/// it, and `logbook verify` passes (every chain, every rollup).
async fn check_after_kill(install: &Install, report: &mut CrashReport) {
    if stores::integrity_ok(&install.url).await {
        report.intact += 1;
    }
    let (ok, said) = install.run(&["verify"]);
    if ok {
        report.verified += 1;
    } else {
        report.verify_failures.push(said);
    }
}

/// Compares what was acknowledged with what is stored.
fn tally(ledger: &Ledger, stored: &HashMap<String, Stored>, report: &mut CrashReport) {
    report.events_acked = ledger.acked.len();
    let latencies: Vec<Duration> = ledger
        .answers
        .iter()
        .filter(|a| a.status == 200)
        .map(|a| a.took)
        .collect();
    report.requests_acked = latencies.len();
    report.ingest_p99_ms = quantile_ms(&latencies, 0.99);
    let found = stores::compare(&ledger.acked, stored);
    report.lost = found.lost;
    report.duplicates = found.duplicates;
    for marker in &ledger.unknown {
        match stored.get(marker) {
            Some(event) if event.copies > 1 => report.duplicates.push(marker.clone()),
            Some(_) => report.unanswered_stored += 1,
            None => report.unanswered_absent += 1,
        }
    }
}
