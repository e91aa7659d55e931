//! A read replica: with `DATABASE_READ_URL`, table pages, analytics and
//! exports are read from a streaming replica while the primary takes
//! ingest, and a fresh event shows there within the replica's lag.
//!
//! The test makes its own pair of PostgreSQL clusters: a primary on a
//! free port, and a replica made from it with `pg_basebackup`, streaming.

use crate::processes::{cli, free_addr, logbook, wait_healthy, Servers};
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// A primary and its streaming replica, stopped when dropped.
struct Pair {
    dir: tempfile::TempDir,
    bin: PathBuf,
    primary: u16,
    replica: u16,
}

/// The newest installed PostgreSQL's programs.
fn pg_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's programs in /usr/lib/postgresql (Debian's postgresql package)")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|p| p.join("pg_basebackup").exists())
        .collect();
    versions.sort();
    versions.pop().expect("pg_basebackup is installed")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Pair {
    /// One of PostgreSQL's programs, as the `postgres` user when this runs
    /// as root (the server refuses to run as root).
    fn program(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
        let mut command = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        command.stdout(Stdio::null()).stderr(Stdio::piped());
        command
    }

    fn run(&self, name: &str, args: &[&str]) {
        let out = self.program(name).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{name} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn data(&self, which: &str) -> String {
        self.dir.path().join(which).display().to_string()
    }

    fn start() -> Pair {
        let dir = tempfile::Builder::new()
            .prefix("logbook-pg-pair")
            .tempdir()
            .unwrap();
        let pair = Pair {
            dir,
            bin: pg_bin(),
            primary: free_port(),
            replica: free_port(),
        };
        // The clusters' owner must reach the folder.
        Command::new("chmod")
            .arg("755")
            .arg(pair.dir.path())
            .status()
            .unwrap();
        Command::new("chown")
            .args(["postgres:postgres"])
            .arg(pair.dir.path())
            .status()
            .ok();
        let primary = pair.data("primary");
        let socket = pair.dir.path().display().to_string();
        pair.run(
            "initdb",
            &["-D", &primary, "-U", "postgres", "--auth=trust"],
        );
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{socket}'\n\
             fsync = off\nshared_buffers = 32MB\n",
            pair.primary
        );
        append(
            Path::new(&primary).join("postgresql.conf").as_path(),
            &settings,
        );
        let log = format!("{socket}/primary.log");
        pair.run("pg_ctl", &["-D", &primary, "-l", &log, "-w", "start"]);
        let replica = pair.data("replica");
        let port = pair.primary.to_string();
        pair.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                &replica,
                "-R",
                "-X",
                "stream",
            ],
        );
        append(
            Path::new(&replica).join("postgresql.conf").as_path(),
            &format!("port = {}\n", pair.replica),
        );
        let log = format!("{socket}/replica.log");
        pair.run("pg_ctl", &["-D", &replica, "-l", &log, "-w", "start"]);
        pair
    }

    fn url(&self, port: u16, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/{db}")
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for which in ["replica", "primary"] {
            let data = self.data(which);
            let _ = self
                .program("pg_ctl")
                .args(["-D", &data, "-m", "immediate", "stop"])
                .output();
        }
    }
}

fn append(file: &Path, text: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

/// Transactions the replica has committed in `db` (reads count too).
async fn replica_transactions(url: &str) -> i64 {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    n
}

/// The NDJSON export of the key's tenant, matching the query-bar `q`.
async fn export(client: &reqwest::Client, base: &str, key: &str, q: &str) -> Vec<Value> {
    let response = client
        .get(format!("{base}/api/v1/events/export"))
        .query(&[("format", "ndjson"), ("q", q)])
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the export is served");
    response
        .text()
        .await
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_a_streaming_replica_under_ingest_and_a_fresh_event_shows_within_its_lag() {
    let pair = Pair::start();
    let primary = pair.url(pair.primary, "logbook");
    let replica = pair.url(pair.replica, "logbook");
    let mut admin = PgConnection::connect(&pair.url(pair.primary, "postgres"))
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE logbook")
        .execute(&mut admin)
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    cli(data.path(), &primary, &["create-tenant", "--slug", "acme"]);
    let ingest_key = cli(
        data.path(),
        &primary,
        &["create-api-key", "--tenant", "acme"],
    );
    let read_key = cli(
        data.path(),
        &primary,
        &[
            "create-api-key",
            "--tenant",
            "acme",
            "--scope",
            "ingest,read,export",
        ],
    );
    let addr = free_addr();
    let _server = Servers(vec![logbook(data.path(), &primary, &addr)
        .env("DATABASE_READ_URL", &replica)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()]);
    let base = format!("http://{addr}");
    let client = crate::support::client().build().unwrap();
    wait_healthy(&client, &base).await;

    // Four clients ingest batches for three seconds while exports are read.
    let load: Vec<_> = (0..4)
        .map(|c| {
            let (base, key) = (base.clone(), ingest_key.clone());
            tokio::spawn(async move {
                let client = crate::support::client().build().unwrap();
                let started = Instant::now();
                let mut sent = 0;
                while started.elapsed() < Duration::from_secs(3) {
                    let batch: Vec<Value> = (0..50)
                        .map(|i| {
                            crate::support::event(
                                "balance.transferred",
                                &format!("load {c}.{sent}.{i}"),
                            )
                        })
                        .collect();
                    let response = client
                        .post(format!("{base}/api/v1/events"))
                        .bearer_auth(&key)
                        .json(&batch)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    sent += 1;
                }
                sent * 50
            })
        })
        .collect();
    let before = replica_transactions(&replica).await;
    let mut reads = 0;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        export(&client, &base, &read_key, "load").await;
        reads += 1;
    }
    let mut ingested = 0;
    for task in load {
        ingested += task.await.unwrap();
    }
    let served = replica_transactions(&replica).await - before;
    assert!(reads > 0 && ingested > 0);
    assert!(
        served >= reads,
        "{reads} exports under ingest of {ingested} events, but the replica committed {served} transactions"
    );

    // A fresh event, ingested on the primary, shows on the replica's side.
    let sent_at = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(&ingest_key)
        .json(&crate::support::event("license.created", "zanzibar fresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    loop {
        if export(&client, &base, &read_key, "zanzibar").await.len() == 1 {
            break;
        }
        assert!(
            sent_at.elapsed() < Duration::from_secs(10),
            "the fresh event never reached the replica"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "replica: {reads} exports during ingest of {ingested} events; a fresh event readable after {:?}",
        sent_at.elapsed()
    );
}
