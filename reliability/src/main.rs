//! `logbook-reliability`: the long runs of the reliability suite against
//! the release binary (`target/release/logbook`, or `LOGBOOK_BIN`). Each
//! prints its figures and exits non-zero if a promise was broken.

use clap::{Parser, Subcommand};
use reliability::{api_spec, crash, db_restart, disk_full, load};
use std::time::Duration;

#[derive(Parser)]
#[command(about = "Faults injected into Logbook's release binary, with figures")]
struct Cli {
    #[command(subcommand)]
    fault: Fault,
}

#[derive(Subcommand)]
enum Fault {
    /// kill -9 under concurrent ingest, restart, check everything.
    Crash {
        #[arg(long, default_value_t = 100)]
        kills: usize,
        #[arg(long, default_value_t = 8)]
        clients: usize,
        /// The longest a server runs under load before the kill, in ms.
        #[arg(long, default_value_t = 1500)]
        max_run_ms: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// sqlite, or postgres (a cluster of the run's own; needs root).
        #[arg(long, value_enum, default_value_t)]
        backend: crash::Backend,
    },
    /// PostgreSQL (a cluster of the run's own) stopped under ingest load.
    DbRestart {
        /// Seconds PostgreSQL stays down.
        #[arg(long, default_value_t = 30)]
        down_secs: u64,
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
    /// Steady ingest from many clients while staff page and open analytics.
    Load {
        #[arg(long, default_value_t = 64)]
        clients: usize,
        /// Events per second across all clients.
        #[arg(long, default_value_t = 2000)]
        rate: u64,
        /// Events per request.
        #[arg(long, default_value_t = 10)]
        batch: usize,
        #[arg(long, default_value_t = 4)]
        staff: usize,
        #[arg(long, default_value_t = 1800)]
        seconds: u64,
    },
    /// schemathesis against /api/v1/openapi.json: every answer as documented.
    ApiSpec {
        #[arg(long, default_value_t = 600)]
        seconds: u64,
    },
    /// SQLite on a small tmpfs that fills up during ingest (needs root).
    DiskFull {
        #[arg(long, default_value_t = 24)]
        mb: u64,
        #[arg(long, default_value_t = 8)]
        clients: usize,
    },
}

#[tokio::main]
async fn main() {
    let problems = match Cli::parse().fault {
        Fault::Crash {
            kills,
            clients,
            max_run_ms,
            seed,
            backend,
        } => {
            let report = crash::run(&crash::CrashConfig {
                kills,
                clients,
                max_run: Duration::from_millis(max_run_ms),
                seed,
                backend,
            })
            .await;
            report.print();
            report.problems()
        }
        Fault::DbRestart { down_secs, clients } => {
            let report = db_restart::run(Duration::from_secs(down_secs), clients).await;
            report.print();
            report.problems()
        }
        Fault::Load {
            clients,
            rate,
            batch,
            staff,
            seconds,
        } => {
            let report = load::run(&load::LoadConfig {
                clients,
                rate,
                batch,
                staff,
                duration: Duration::from_secs(seconds),
            })
            .await;
            report.print();
            report.problems()
        }
        Fault::ApiSpec { seconds } => {
            let report = api_spec::run(api_spec::Budget::Seconds(seconds)).await;
            report.print();
            report.problems()
        }
        Fault::DiskFull { mb, clients } => {
            let report = disk_full::run(mb, clients).await;
            report.print();
            report.problems()
        }
    };
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("BROKEN: {problem}");
        }
        std::process::exit(1);
    }
    println!("every promise held");
}
