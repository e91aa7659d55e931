//! The database gone and back: PostgreSQL (a cluster of the run's own)
//! stopped under ingest load and started again. Requests must fail fast
//! with a 503 (never hang), the jobs and the alert worker must back off
//! and resume, and nothing acknowledged may be lost, without restarting
//! Logbook.

use crate::{
    crash::set_up,
    ingest::{self, Ledger, Shared},
    postgres::Cluster,
    receiver::Receiver,
    server::{client, Install},
    stores,
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::watch;

/// What the run saw; `problems()` is empty when every promise held.
#[derive(Debug, Default)]
pub struct RestartReport {
    pub down_for: Duration,
    pub clients: usize,
    pub events_acked: usize,
    /// Answers to requests in flight at any time while the database was
    /// down (stopping, stopped or starting), by status.
    pub while_down: HashMap<u16, usize>,
    /// The slowest answer while it was down.
    pub slowest_while_down: Duration,
    pub health_while_down: String,
    /// From the database taking connections again to the first 200.
    pub resumed_after: Option<Duration>,
    /// Log lines the server wrote while the database was down.
    pub log_lines_while_down: usize,
    pub lost: usize,
    pub duplicates: usize,
    /// What `logbook verify` said when it failed.
    pub verify_failure: Option<String>,
    /// Keyed requests the server would not take once it could again.
    pub resend_failures: Vec<String>,
    pub alerts_expected: usize,
    pub alerts_missing: usize,
}

/// The longest a request may take while the database is down.
const FAIL_FAST: Duration = Duration::from_secs(5);

impl RestartReport {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let other: Vec<_> = self
            .while_down
            .iter()
            .filter(|(status, _)| !matches!(status, 200 | 503))
            .collect();
        if !other.is_empty() {
            problems.push(format!("answers other than 503 while down: {other:?}"));
        }
        if self.while_down.get(&503).copied().unwrap_or(0) == 0 {
            problems.push("no request was refused while the database was down".into());
        }
        if self.slowest_while_down > FAIL_FAST {
            problems.push(format!(
                "a request took {:.1} s while the database was down",
                self.slowest_while_down.as_secs_f64()
            ));
        }
        if !self.health_while_down.starts_with("503") {
            problems.push(format!("/healthz while down: {}", self.health_while_down));
        }
        if self.resumed_after.is_none() {
            problems.push("ingest did not resume".into());
        }
        if self.lost > 0 || self.duplicates > 0 {
            problems.push(format!(
                "{} acknowledged events lost, {} stored twice",
                self.lost, self.duplicates
            ));
        }
        problems.extend(self.resend_failures.iter().cloned());
        if let Some(said) = &self.verify_failure {
            problems.push(format!("logbook verify failed: {said}"));
        }
        if self.alerts_missing > 0 {
            problems.push(format!(
                "{} of {} alerts never delivered",
                self.alerts_missing, self.alerts_expected
            ));
        }
        problems
    }

    pub fn print(&self) {
        println!(
            "database gone and back (PostgreSQL stopped for {:.0} s under {} ingest clients)",
            self.down_for.as_secs_f64(),
            self.clients
        );
        println!("  events acknowledged          {}", self.events_acked);
        println!("  answers while down           {:?}", self.while_down);
        println!(
            "  slowest answer while down    {:.0} ms",
            self.slowest_while_down.as_secs_f64() * 1000.0
        );
        println!("  /healthz while down          {}", self.health_while_down);
        match self.resumed_after {
            Some(after) => println!(
                "  ingest resumed               {:.2} s after PostgreSQL was back",
                after.as_secs_f64()
            ),
            None => println!("  ingest resumed               never"),
        }
        println!(
            "  server log lines while down  {} ({:.1}/s)",
            self.log_lines_while_down,
            self.log_lines_while_down as f64 / self.down_for.as_secs_f64().max(1.0)
        );
        println!(
            "  lost / stored twice          {} / {}",
            self.lost, self.duplicates
        );
        println!(
            "  chains and rollups verified  {}",
            self.verify_failure.is_none()
        );
        println!(
            "  alerts                       {} expected, {} missing",
            self.alerts_expected, self.alerts_missing
        );
    }
}

/// Stops PostgreSQL for `down_for` while `clients` ingest.
pub async fn run(down_for: Duration, clients: usize) -> RestartReport {
    let cluster = Cluster::start();
    let dir = tempfile::tempdir().expect("a scratch directory");
    let receiver = Receiver::start().await;
    let mut install = Install::sqlite(dir.path());
    install.url = cluster.url();
    install.env = crate::crash::alert_timings();
    let keys = set_up(&install, &receiver).await;
    let server = install.serve().await;
    let base = install.base();
    let ledger: Shared = Arc::new(Mutex::new(Ledger::default()));
    let (stop, stopped) = watch::channel(false);
    let tasks = ingest::start(clients, &base, &keys, &ledger, &stopped, 3);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let log_before = log_lines(&install);
    let went_down = Instant::now(); // from the moment the shutdown starts
    tokio::task::block_in_place(|| cluster.down());
    tokio::time::sleep(down_for / 2).await;
    let asked = Instant::now();
    let health = client().get(format!("{base}/healthz")).send().await;
    let health_while_down = match health {
        Ok(response) => format!(
            "{} in {:.0} ms",
            response.status().as_u16(),
            asked.elapsed().as_secs_f64() * 1000.0
        ),
        Err(err) => format!("no answer: {err}"),
    };
    tokio::time::sleep(down_for.saturating_sub(went_down.elapsed())).await;
    let log_while_down = log_lines(&install) - log_before;
    tokio::task::block_in_place(|| cluster.up());
    let came_back = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = stop.send(true);
    for task in tasks {
        let _ = task.await;
    }
    let mut resend_failures = Vec::new();
    install.resend(&ledger, &mut resend_failures).await;

    let mut report = RestartReport {
        resend_failures,
        down_for,
        clients,
        health_while_down,
        log_lines_while_down: log_while_down,
        ..RestartReport::default()
    };
    {
        let ledger = ledger.lock().expect("ledger");
        for answer in &ledger.answers {
            // Any request the outage overlapped, however it began or ended.
            let sent = answer.at - answer.took;
            if answer.at >= went_down && sent <= came_back {
                *report.while_down.entry(answer.status).or_default() += 1;
                report.slowest_while_down = report.slowest_while_down.max(answer.took);
            }
            if answer.status == 200 && answer.at > came_back {
                let after = answer.at - came_back;
                report.resumed_after = Some(report.resumed_after.map_or(after, |r| r.min(after)));
            }
        }
    }

    let stored = stores::read_events(&install.url).await;
    let expected = stores::alerted(&stored);
    let delivered = receiver.wait_for(&expected, Duration::from_secs(150)).await;
    report.alerts_expected = expected.len();
    report.alerts_missing = expected.difference(&delivered).count();
    drop(server);

    let ledger = ledger.lock().expect("ledger");
    report.events_acked = ledger.acked.len();
    let found = stores::compare(&ledger.acked, &stored);
    (report.lost, report.duplicates) = (found.lost.len(), found.duplicates.len());
    let (ok, said) = install.run(&["verify"]);
    report.verify_failure = (!ok).then_some(said);
    report
}

fn log_lines(install: &Install) -> usize {
    std::fs::read_to_string(&install.log)
        .map(|text| text.lines().count())
        .unwrap_or(0)
}
