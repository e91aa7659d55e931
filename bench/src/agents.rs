//! The user-agent dictionary under a flood: the same events appended
//! through the store twice, once with the generator's few dozen user
//! agents and once with every event's user agent its own (a client that
//! stamps a build or session id into it), so the bytes and the rate the
//! dictionary costs in its worst case are printed beside its best.

use crate::{
    footprint,
    ingest::{fresh_store, to_new_events, Workload},
    CliResult,
};
use app::store::Store;
use chrono::Utc;
use std::{path::Path, time::Instant};

/// Events per variant, in batches of `BATCH`: enough for the dictionary's
/// share of the bytes to show, few enough to take seconds.
const EVENTS: usize = 100_000;
const BATCH: usize = 1_000;

pub(crate) async fn run(dir: &Path) -> CliResult {
    let mut figures = Vec::new();
    for distinct in [false, true] {
        let (store, tenants) = fresh_store(&dir.join(format!("agents-{distinct}.db"))).await?;
        let now = Utc::now();
        let mut workload = Workload::new(now, EVENTS);
        let mut n = 0_usize;
        let started = Instant::now();
        for _ in 0..EVENTS / BATCH {
            let (tenant, wire) = workload.batch(BATCH);
            let mut rows = to_new_events(&wire, &tenants[tenant].slug, now)?;
            if distinct {
                for row in &mut rows {
                    n += 1;
                    let agent = row.user_agent.take().unwrap_or_default();
                    row.user_agent = Some(format!("{agent} session/{n:08}"));
                }
            }
            store.append(tenants[tenant].id, &rows, None).await?;
        }
        let rate = EVENTS as f64 / started.elapsed().as_secs_f64();
        let bytes = footprint::per_event(&*store).await?;
        let (agents, length): (i64, f64) =
            sqlx::query_as("SELECT COUNT(*), COALESCE(AVG(length(text)), 0) FROM user_agents")
                .fetch_one(store.write_pool())
                .await?;
        println!(
            "sqlite, {}: {EVENTS} events in batches of {BATCH}, {agents} distinct user agents \
             of {length:.0} characters on average: {rate:.0} events/s, {bytes:.0} bytes per event",
            if distinct {
                "every event its own user agent"
            } else {
                "the bench's user agents"
            },
        );
        figures.push((rate, bytes));
        store.close().await;
    }
    let ((rate, bytes), (flood_rate, flood_bytes)) = (figures[0], figures[1]);
    println!(
        "sqlite, distinct / shared user agents: {:.2} times the bytes, {:.2} times the rate",
        flood_bytes / bytes,
        flood_rate / rate
    );
    Ok(())
}
