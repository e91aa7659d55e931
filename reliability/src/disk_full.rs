//! Disk full: SQLite on a size-limited filesystem (a tmpfs this run mounts)
//! that fills during ingest. Ingest must answer 503 with a reason and a
//! Retry-After, `/healthz` must say why, the dashboard must stay readable,
//! nothing acknowledged may be lost, and ingest must resume by itself once
//! space is freed.

use crate::{
    ingest::{self, Ledger, Request, Sent},
    server::{admin_session, Install},
    stores,
};
use rand::{rngs::StdRng, SeedableRng};
use serde_json::Value;
use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// What the run saw; `problems()` is empty when every promise held.
#[derive(Debug, Default)]
pub struct DiskFullReport {
    pub filesystem_mb: u64,
    pub events_acked: usize,
    /// Ingest refusals while full (from every client).
    pub refused: usize,
    /// Refusals read whole by the filling client, and how many of those
    /// carried a Retry-After.
    pub read: usize,
    pub refused_with_retry_after: usize,
    /// Refusals with a status other than 503: how many of each.
    pub wrong_status: std::collections::BTreeMap<u16, usize>,
    pub refusal_message: String,
    pub health_while_full: String,
    pub dashboard_while_full: u16,
    pub dashboard_shows_events: bool,
    pub health_after: u16,
    /// From freeing space to the first acknowledged ingest.
    pub resumed_after: Option<Duration>,
    pub lost: usize,
    pub duplicates: usize,
    pub intact: bool,
    /// What `logbook verify` said when it failed.
    pub verify_failure: Option<String>,
    /// Keyed requests the server would not take once it could again.
    pub resend_failures: Vec<String>,
}

impl DiskFullReport {
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.refused == 0 {
            problems.push("the disk never filled: no ingest was refused".into());
        }
        if !self.wrong_status.is_empty() {
            problems.push(format!(
                "refusals with other statuses: {:?}",
                self.wrong_status
            ));
        }
        if self.refused_with_retry_after < self.read {
            problems.push(format!(
                "{} of {} refusals without Retry-After",
                self.read - self.refused_with_retry_after,
                self.read
            ));
        }
        if !self.health_while_full.contains("storage_full") {
            problems.push(format!("/healthz while full: {}", self.health_while_full));
        }
        if self.dashboard_while_full != 200 || !self.dashboard_shows_events {
            problems.push(format!(
                "the dashboard while full answered {} (events shown: {})",
                self.dashboard_while_full, self.dashboard_shows_events
            ));
        }
        if self.resumed_after.is_none() {
            problems.push("ingest did not resume once space was freed".into());
        }
        if self.health_after != 200 {
            problems.push(format!("/healthz after resuming: {}", self.health_after));
        }
        if self.lost > 0 || self.duplicates > 0 {
            problems.push(format!(
                "{} acknowledged events lost, {} stored twice",
                self.lost, self.duplicates
            ));
        }
        if !self.intact {
            problems.push("the database failed its integrity check".into());
        }
        problems.extend(self.resend_failures.iter().cloned());
        if let Some(said) = &self.verify_failure {
            problems.push(format!("logbook verify failed: {said}"));
        }
        problems
    }

    pub fn print(&self) {
        println!(
            "disk full (SQLite on a {} MB tmpfs, filled during ingest)",
            self.filesystem_mb
        );
        println!("  events acknowledged          {}", self.events_acked);
        println!(
            "  refusals while full          {} (all 503: {}; with Retry-After: {} of {} read)",
            self.refused,
            self.wrong_status.is_empty(),
            self.refused_with_retry_after,
            self.read
        );
        println!("  refusal                      {}", self.refusal_message);
        println!("  /healthz while full          {}", self.health_while_full);
        println!(
            "  dashboard while full         {} (acknowledged events shown: {})",
            self.dashboard_while_full, self.dashboard_shows_events
        );
        match self.resumed_after {
            Some(after) => println!(
                "  ingest resumed               {:.2} s after space was freed",
                after.as_secs_f64()
            ),
            None => println!("  ingest resumed               never"),
        }
        println!("  /healthz after               {}", self.health_after);
        println!(
            "  lost / stored twice          {} / {}",
            self.lost, self.duplicates
        );
        println!(
            "  integrity check / verify     {} / {}",
            self.intact,
            self.verify_failure.is_none()
        );
    }
}

/// A tmpfs of `mb` megabytes, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, mb: u64) -> Tmpfs {
        std::fs::create_dir_all(at).expect("the mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "logbook-full"])
            .arg(at)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "mounting a {mb} MB tmpfs at {} failed: the disk-full run needs root \
             (or CAP_SYS_ADMIN) to make a small filesystem",
            at.display()
        );
        Tmpfs(at.to_path_buf())
    }

    /// Bytes still free.
    fn available(&self) -> u64 {
        let out = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&self.0)
            .output()
            .expect("df runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|line| line.trim().parse().ok())
            .expect("df prints the free bytes")
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Fills a `mb` MB filesystem under ingest from `clients` clients.
pub async fn run(mb: u64, clients: usize) -> DiskFullReport {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let mount = Tmpfs::mount(&dir.path().join("small"), mb);
    let mut install = Install::sqlite(&mount.0);
    install.log = dir.path().join("server.log");
    install.cli(&["create-tenant", "--slug", "acme"]);
    let keys = vec![install.cli(&["create-api-key", "--tenant", "acme"])];
    let mut server = install.serve().await;
    let base = install.base();
    let session = admin_session(&base).await;
    let mut report = DiskFullReport {
        filesystem_mb: mb,
        ..DiskFullReport::default()
    };

    // Ballast takes all but 3 MB, so the log fills it in seconds.
    let ballast = mount.0.join("ballast");
    let spare = mount.available().saturating_sub(3 << 20);
    std::fs::write(&ballast, vec![0u8; spare as usize]).expect("the ballast is written");

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut rng = StdRng::seed_from_u64(7);
    // Keyed requests that were refused: sent again once space is freed.
    let client = crate::server::client();
    let mut seq = 0;
    let mut first_refusal: Option<Request> = None;
    let fill_deadline = Instant::now() + Duration::from_secs(120);
    while first_refusal.is_none() && Instant::now() < fill_deadline {
        seq += 1;
        let request = ingest::request(&mut rng, &keys, 0, seq);
        let response = send_raw(&client, &base, &request).await;
        note_refusal(&response, &mut report);
        match response {
            Raw::Acked(ids) => {
                ledger
                    .lock()
                    .expect("ledger")
                    .record(request, Sent::Acked(ids), Duration::ZERO)
            }
            Raw::Refused { .. } => first_refusal = Some(request),
        }
    }
    // More clients keep trying while the disk is full.
    let busy = ingest::start(clients, &base, &keys, &ledger, &stopped, 99);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let health = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz answers");
    report.health_while_full = format!(
        "{} {}",
        health.status().as_u16(),
        health.text().await.unwrap_or_default()
    );
    let page = session
        .get(format!("{base}/"))
        .send()
        .await
        .expect("the dashboard answers");
    report.dashboard_while_full = page.status().as_u16();
    let html = page.text().await.unwrap_or_default();
    report.dashboard_shows_events = ledger
        .lock()
        .expect("ledger")
        .acked
        .keys()
        .any(|marker| html.contains(marker.as_str()));

    // Free the space; the refused request goes through by itself.
    std::fs::remove_file(&ballast).expect("the ballast is removed");
    let freed = Instant::now();
    if let Some(request) = first_refusal {
        while freed.elapsed() < Duration::from_secs(30) {
            match send_raw(&client, &base, &request).await {
                Raw::Acked(ids) => {
                    report.resumed_after = Some(freed.elapsed());
                    ledger.lock().expect("ledger").record(
                        request,
                        Sent::Acked(ids),
                        Duration::ZERO,
                    );
                    break;
                }
                refused => {
                    note_refusal(&refused, &mut report);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
    let _ = stop.send(true);
    for task in busy {
        let _ = task.await;
    }
    install.resend(&ledger, &mut report.resend_failures).await;
    report.health_after = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    {
        let ledger = ledger.lock().expect("ledger");
        for (status, count) in &ledger.refused {
            if *status != 503 {
                *report.wrong_status.entry(*status).or_default() += *count as usize;
            }
            report.refused += *count as usize;
        }
    }
    server.kill();

    let stored = stores::read_events(&install.url).await;
    let acked = ledger.lock().expect("ledger").acked.clone();
    report.events_acked = acked.len();
    let found = stores::compare(&acked, &stored);
    (report.lost, report.duplicates) = (found.lost.len(), found.duplicates.len());
    report.intact = stores::integrity_ok(&install.url).await;
    let (ok, said) = install.run(&["verify"]);
    report.verify_failure = (!ok).then_some(said);
    report
}

/// An ingest answer, with what a refusal said.
enum Raw {
    Acked(Vec<String>),
    Refused {
        status: u16,
        retry_after: bool,
        body: String,
    },
}

async fn send_raw(client: &reqwest::Client, base: &str, request: &Request) -> Raw {
    let response = ingest::post(client, base, request)
        .send()
        .await
        .expect("ingest answers while the disk is full");
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let body = response.text().await.unwrap_or_default();
    if status == 200 {
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let ids = json["results"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Raw::Acked(ids)
    } else {
        Raw::Refused {
            status,
            retry_after,
            body,
        }
    }
}

/// Counts a refusal met outside the clients' ledger.
fn note_refusal(response: &Raw, report: &mut DiskFullReport) {
    if let Raw::Refused {
        status,
        retry_after,
        body,
    } = response
    {
        report.refused += 1;
        report.read += 1;
        report.refused_with_retry_after += usize::from(*retry_after);
        if *status != 503 {
            *report.wrong_status.entry(*status).or_default() += 1;
        }
        if report.refusal_message.is_empty() {
            report.refusal_message = format!("{status} {body}");
        }
    }
}
