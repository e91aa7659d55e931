//! `logbook-bench`: the figures in `docs/benchmarks.md`, each printed beside
//! the baseline it is compared with, measured in the same run. Kept out of
//! the `logbook` binary and its library: it drives the server and the store
//! from outside, as an operator's load would.

mod agents;
mod analytics;
mod concurrency;
mod dataset;
mod export;
mod footprint;
mod ingest;
mod load;
mod memory;
mod postgres;
mod queries;

use clap::Parser;
use std::{error::Error, path::PathBuf};

/// The same allocator as the server, so the export's memory figures are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

type CliResult = Result<(), Box<dyn Error + Send + Sync>>;

/// Benchmark ingest, paging and export on temporary SQLite databases, then
/// the log table's filters and the analytics page on a large one. Run it
/// from the repository's root after `cargo leptos build --release`.
#[derive(Parser)]
#[command(name = "logbook-bench")]
struct Args {
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    #[arg(long, default_value_t = 1_000)]
    batch: usize,
    /// Events in the database the filters are timed on.
    #[arg(long, default_value_t = 10_000_000)]
    query_events: usize,
    /// Where that database is kept between runs.
    #[arg(long, default_value = "target/bench/events.db")]
    query_db: PathBuf,
    /// Only the filter timings.
    #[arg(long, conflicts_with = "skip_queries")]
    queries_only: bool,
    /// Only the export figures, on a bulk-loaded database of `--events`
    /// events kept at `--export-db` (quick to repeat while tuning).
    #[arg(long, conflicts_with_all = ["queries_only", "skip_queries"])]
    export_only: bool,
    /// Where that database is kept between runs.
    #[arg(long, default_value = "target/bench/export.db")]
    export_db: PathBuf,
    /// Everything but the filter timings.
    #[arg(long)]
    skip_queries: bool,
    /// Only the filter cases whose label contains this.
    #[arg(long)]
    case: Option<String>,
    /// Timed runs of each filter case.
    #[arg(long, default_value_t = queries::RUNS)]
    runs: usize,
    /// Only concurrent ingest: single events from 64 clients, batches of 100
    /// from 8 and of 1,000 from 4, through the HTTP API beside raw inserts,
    /// on SQLite and (with --postgres) PostgreSQL.
    #[arg(long, conflicts_with_all = ["queries_only", "export_only"])]
    load: bool,
    /// Seconds each load shape runs.
    #[arg(long, default_value_t = 15.0)]
    load_seconds: f64,
    /// The PostgreSQL server the load figures create a database on.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// Send the load to this running server (`http://host:port`) instead,
    /// e.g. an older build, with --load-key; nothing else runs.
    #[arg(long, requires = "load_key")]
    load_url: Option<String>,
    /// An ingest key of that server (repeat for several tenants).
    #[arg(long)]
    load_key: Vec<String>,
    /// Skip PostgreSQL in the load figures.
    #[arg(long)]
    no_postgres: bool,
    /// With --load: the same shapes again into a copy of this SQLite
    /// database (the 10M query database: `--load-into target/bench/events.db`),
    /// live ingest into a large log rather than a fresh one.
    #[arg(long, requires = "load")]
    load_into: Option<PathBuf>,
    /// A PostgreSQL database for the figures at scale, created and loaded
    /// with `--query-events` events on first use (e.g.
    /// `postgres://postgres@127.0.0.1:5432/logbook_bench_10m`): with
    /// --queries-only, the filter cases, analytics, bytes per event and the
    /// export on it; with --load, the load shapes into a copy of it.
    #[arg(long)]
    database_url: Option<String>,
    /// Only retention of one month on PostgreSQL (--postgres): its
    /// partition dropped beside the same rows deleted.
    #[arg(long, conflicts_with_all = ["queries_only", "export_only", "load"])]
    retention: bool,
    /// Events in that month.
    #[arg(long, default_value_t = 1_000_000)]
    retention_events: usize,
}

#[tokio::main]
async fn main() -> CliResult {
    let args = Args::parse();
    if let Some(base) = args.load_url {
        let target = load::Target {
            base,
            keys: args.load_key,
        };
        return concurrency::against(&target, args.load_seconds).await;
    }
    if args.retention {
        return postgres::retention(&args.postgres, args.retention_events).await;
    }
    if let (true, Some(url)) = (args.load, &args.database_url) {
        return concurrency::into_postgres(url, args.load_seconds).await;
    }
    if let (true, Some(url)) = (args.queries_only, &args.database_url) {
        return postgres::run(url, args.query_events, args.case.as_deref(), args.runs).await;
    }
    if args.load {
        let postgres = (!args.no_postgres).then_some(args.postgres.as_str());
        return concurrency::run(postgres, args.load_into.as_deref(), args.load_seconds).await;
    }
    if args.export_only {
        return ingest::export_only(&args.export_db, args.events).await;
    }
    let queries = ingest::Queries {
        events: args.query_events,
        path: args.query_db,
        case: args.case,
        runs: args.runs,
    };
    if args.queries_only {
        return queries.run().await;
    }
    ingest::run(args.events, args.batch).await?;
    if args.skip_queries {
        return Ok(());
    }
    queries.run().await
}
