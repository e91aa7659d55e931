//! The analytics page at 10,000,000 events: everything one page load asks
//! the store for (all charts, lists and the previous period's headline
//! numbers) over 30 days, for one tenant and for all tenants, beside the
//! plain GROUP BY over the events that the rollups stand in for.

use crate::CliResult;
use app::{
    analytics::analytics,
    model::{AnalyticsRequest, EventFilter},
    store::{raw::Sql, Backend, DbError, TenantScope},
};
use chrono::{DateTime, Duration, Utc};
use std::time::Instant;

use crate::queries::percentiles;

const RUNS: usize = 20;
/// Raw GROUP BYs take seconds: a few runs say enough.
const RAW_RUNS: usize = 3;
/// The bound on the page's data at p95.
const BUDGET_MS: f64 = 150.0;

pub(crate) async fn run<B: Backend>(store: &B, tenant_id: i64, newest: DateTime<Utc>) -> CliResult {
    let cases: [(&str, bool, &str); 5] = [
        ("30 days", false, ""),
        ("30 days", true, ""),
        ("30 days, action prefix", false, "action:license.*"),
        ("30 days, one actor", true, "actor:usr_keyforge_04"),
        (
            "30 days, a rare word (counted from events)",
            false,
            crate::dataset::RARE_WORD,
        ),
    ];
    // Windows end at the newest event, not the clock: the database is reused.
    let now = newest + Duration::seconds(1);
    println!("analytics page data, 30 days; p50 / p95 over {RUNS} runs");
    println!("{:<58} {:>17}", "filter", "store p50/p95 ms");
    let mut over = Vec::new();
    let mut page_ms = (0.0, 0.0);
    for (label, all_tenants, query) in cases {
        let scope = if all_tenants {
            TenantScope::all_tenants()
        } else {
            TenantScope::tenant(tenant_id)
        };
        let mut filter = EventFilter::parse_query(query).map_err(|e| format!("{label}: {e}"))?;
        filter.range = None;
        filter.from = Some(now - Duration::days(30));
        filter.to = Some(now);
        let request = AnalyticsRequest {
            filter,
            ..Default::default()
        };
        let mut samples = Vec::with_capacity(RUNS);
        let mut events = String::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let view = analytics(store, &scope, request.clone(), now).await?;
            samples.push(started.elapsed().as_secs_f64() * 1000.0);
            events = view.headlines[0].value.clone();
        }
        let (p50, p95) = percentiles(samples);
        let who = if all_tenants {
            "all tenants"
        } else {
            "one tenant"
        };
        let label = format!("{label} ({who})");
        println!("{label:<58} {p50:>8.1} /{p95:>7.1}   {events} events");
        if query.is_empty() && !all_tenants {
            page_ms = (p50, p95);
        }
        if p95 > BUDGET_MS && !label.contains("from events") {
            over.push(label);
        }
    }
    let since = (now - Duration::days(30)).timestamp_micros();
    let by_day = raw_ms(
        store,
        "SELECT occurred_at / 86400000000, COUNT(*) FROM events \
         WHERE tenant_id = $1 AND occurred_at >= $2 GROUP BY 1",
        Some(tenant_id),
        since,
    )
    .await?;
    let top_actors = raw_ms(
        store,
        "SELECT tenant_id, actor_id, COUNT(*) FROM events WHERE occurred_at >= $1 \
         GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10",
        None,
        since,
    )
    .await?;
    println!(
        "plain GROUP BY over the events, one tenant by day: {by_day:.0} ms (median of {RAW_RUNS})"
    );
    println!("plain GROUP BY over the events, top actors of all tenants: {top_actors:.0} ms (median of {RAW_RUNS})");
    println!(
        "one tenant's whole page from the rollups / its by-day GROUP BY alone: {:.3}",
        page_ms.0 / by_day
    );
    if over.is_empty() {
        println!("every analytics case from the rollups is within {BUDGET_MS} ms at p95");
    } else {
        println!("over {BUDGET_MS} ms at p95: {}", over.join(", "));
    }
    Ok(())
}

async fn raw_ms<B: Backend>(
    store: &B,
    sql: &str,
    tenant: Option<i64>,
    since: i64,
) -> Result<f64, DbError> {
    let mut samples = Vec::with_capacity(RAW_RUNS);
    for _ in 0..RAW_RUNS {
        let started = Instant::now();
        let mut tx = store.scoped_read(&TenantScope::all_tenants()).await?;
        let query = match tenant {
            Some(t) => Sql::<B::Db>::new(sql).bind(t).bind(since),
            None => Sql::<B::Db>::new(sql).bind(since),
        };
        query.execute(&mut tx).await?;
        tx.commit().await?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(percentiles(samples).0)
}
