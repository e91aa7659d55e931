//! Export throughput: CSV of every row through the HTTP endpoint, next to a
//! plain SELECT of the same rows written with the `csv` crate, in one run;
//! and the server's memory while exporting (see `memory`), to show it stays
//! flat.

use crate::memory::{Peaks, Sampler};
use crate::queries::Bare;
use crate::CliResult;
use app::{
    auth::hash_password,
    model::{Permissions, Role},
    store::{DbError, NewAccount, Store},
};
use futures::TryStreamExt;
use sqlx::Row;
use std::{net::SocketAddr, time::Instant};

const PASSWORD: &str = "bench-password";

/// Full exports timed; the median is the figure (on a shared 2-core
/// machine one run can be half as fast as the next).
const RUNS: usize = 3;

pub(crate) async fn run(store: &dyn Store, bare: &Bare, addr: SocketAddr) -> CliResult {
    let client = signed_in(store, addr).await?;
    // Memory is measured for a small export (one tenant) and for everything,
    // each export's peak in the first and in the second half of its time:
    // if it grew with the rows, the second half and the bigger export would
    // peak far above the rest.
    let small = http_csv(&client, addr, "?tenant=luckyspin").await?;
    let mut full = Vec::new();
    for run in 1..=RUNS {
        let export = http_csv(&client, addr, "").await?;
        println!(
            "CSV export via HTTP, run {run}/{RUNS}: {} rows in {:.1} s = {:.0} rows/s (CPU of server and client: {:.1} s; peak memory: {})",
            export.rows,
            export.secs,
            export.rate(),
            export.cpu_secs,
            export.peaks
        );
        full.push(export);
    }
    full.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    let median = &full[RUNS / 2];
    let http_rate = median.rate();
    println!(
        "CSV export via HTTP, median of {RUNS}: {} rows in {:.1} s = {http_rate:.0} rows/s",
        median.rows, median.secs
    );
    let (raw_rows, raw_secs) = match bare {
        Bare::Sqlite(pool) => raw_csv(pool.acquire().await?, SQLITE_ROWS).await?,
        Bare::Postgres(pool) => {
            let mut conn = pool.acquire().await?;
            // Every tenant's rows, past row-level security.
            sqlx::query("SET logbook.scope = '*'")
                .execute(&mut *conn)
                .await?;
            raw_csv(conn, POSTGRES_ROWS).await?
        }
    };
    let raw_rate = raw_rows as f64 / raw_secs;
    println!("plain SELECT + csv crate, same rows: {raw_rows} rows in {raw_secs:.1} s = {raw_rate:.0} rows/s");
    println!(
        "CSV export HTTP (median) / plain SELECT ratio: {:.2}",
        http_rate / raw_rate
    );
    let most = |of: fn(&Peaks) -> u64| full.iter().map(|e| of(&e.peaks)).max().unwrap_or(0);
    let peaks = Peaks {
        rss: [most(|p| p.rss[0]), most(|p| p.rss[1])],
        sqlite: most(|p| p.sqlite),
    };
    println!(
        "server peak memory, exporting {} rows: {}; exporting {} rows (the most of any run): {peaks}",
        small.rows, small.peaks, median.rows
    );
    Ok(())
}

/// One timed download.
struct Export {
    rows: u64,
    secs: f64,
    peaks: Peaks,
    /// User and system CPU time of the whole process (server and client).
    cpu_secs: f64,
}

impl Export {
    fn rate(&self) -> f64 {
        self.rows as f64 / self.secs
    }
}

/// An admin session on the benchmark server (exports cover every tenant).
async fn signed_in(
    store: &dyn Store,
    addr: SocketAddr,
) -> Result<reqwest::Client, Box<dyn std::error::Error + Send + Sync>> {
    // A kept database (`--export-only`) has the account from an earlier run.
    let created = store
        .create_account(&NewAccount {
            email: "bench@logbook.local".into(),
            name: "Bench".into(),
            role: Role::Admin,
            tenant_id: None,
            permissions: Permissions::new(Role::Admin.ceiling().iter().copied()),
            password_hash: hash_password(PASSWORD),
            created_by: None,
        })
        .await;
    match created {
        Ok(_) | Err(DbError::Conflict(_)) => {}
        Err(err) => return Err(err.into()),
    }
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/api/auth/sign_in"))
        .form(&[("email", "bench@logbook.local"), ("password", PASSWORD)])
        .send()
        .await?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or("sign-in gave no session cookie")?
        .to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse()?);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .build()?)
}

/// Downloads a CSV export, sampling memory while it runs (see `memory`).
async fn http_csv(
    client: &reqwest::Client,
    addr: SocketAddr,
    query: &str,
) -> Result<Export, Box<dyn std::error::Error + Send + Sync>> {
    let sampler = Sampler::start();
    let cpu_before = cpu_secs();
    let started = Instant::now();
    let response = client
        .get(format!("http://{addr}/api/exports/csv{query}"))
        .send()
        .await?
        .error_for_status()?;
    let mut lines = 0u64;
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.try_next().await? {
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu_before;
    Ok(Export {
        rows: lines - 1,
        secs,
        peaks: sampler.finish(),
        cpu_secs: cpu,
    })
}

/// Every row and column the export writes, as each database spells it.
const SQLITE_ROWS: &str = "SELECT e.id, t.slug, e.seq, e.occurred_at, e.received_at, e.actor_id, \
     e.actor_name, e.actor_email, e.actor_type, e.action, e.category, e.event_type, e.outcome, \
     e.severity, e.resource_type, e.resource_id, e.resource_name, e.targets_json, e.ip, u.text, \
     e.request_id, e.description, e.before_json, e.after_json, e.metadata_json, \
     lower(hex(e.prev_hash)), lower(hex(e.hash)) FROM events e JOIN tenants t ON t.id = e.tenant_id \
     LEFT JOIN user_agents u ON u.id = e.user_agent_id \
     ORDER BY e.occurred_at DESC, e.tenant_id DESC, e.seq DESC";
const POSTGRES_ROWS: &str =
    "SELECT e.id, t.slug, e.seq, e.occurred_at, e.received_at, e.actor_id, \
     e.actor_name, e.actor_email, e.actor_type, e.action, e.category, e.event_type, e.outcome, \
     e.severity, e.resource_type, e.resource_id, e.resource_name, e.targets_json::text, e.ip, \
     u.text, e.request_id, e.description, e.before_json::text, e.after_json::text, \
     e.metadata_json::text, encode(e.prev_hash, 'hex'), encode(e.hash, 'hex') \
     FROM events e JOIN tenants t ON t.id = e.tenant_id \
     LEFT JOIN user_agents u ON u.id = e.user_agent_id \
     ORDER BY e.occurred_at DESC, e.tenant_id DESC, e.seq DESC";

/// The same rows and columns straight from the database into the `csv` crate.
async fn raw_csv<DB>(
    mut conn: sqlx::pool::PoolConnection<DB>,
    sql: &str,
) -> Result<(u64, f64), Box<dyn std::error::Error + Send + Sync>>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'r> Option<String>: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    for<'r> i64: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let started = Instant::now();
    let mut rows = sqlx::query(sql).fetch(&mut *conn);
    let mut out = csv::Writer::from_writer(std::io::sink());
    let mut count = 0u64;
    let mut record = Vec::with_capacity(27);
    while let Some(row) = rows.try_next().await? {
        record.clear();
        for i in 0..row.columns().len() {
            let text = match row.try_get::<Option<String>, _>(i) {
                Ok(text) => text.unwrap_or_default(),
                Err(_) => row.try_get::<i64, _>(i)?.to_string(),
            };
            record.push(text);
        }
        out.write_record(&record)?;
        count += 1;
    }
    out.flush()?;
    Ok((count, started.elapsed().as_secs_f64()))
}

/// This process's user and system CPU time so far, from /proc (0 where
/// there is none); clock ticks are 1/100 s on Linux.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name, which ends with the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => 0.0,
    }
}
