//! Which index PostgreSQL may read for a page, as the app's role reads it:
//! under row-level security, which keeps a query's own conditions away from
//! the indexes unless their functions are leakproof.

use crate::support::{event, postgres_store};
use app::{
    model::{EventFilter, PageRequest},
    store::{
        raw::{explain_events, page_splits},
        Backend, NewEvent, PgStore, Store, TenantScope,
    },
};
use chrono::{Duration, Utc};
use sqlx::Executor;

/// The plan of the first page of `query`, read in `scope` through the
/// app's pool, with sequential scans and ordered index walks priced out: a
/// table this small is cheaper to read whole or in time order, and the
/// question is which indexes may serve, so the planner chooses between
/// bitmaps (the search index's, or one over the tenant's every event).
async fn plan(store: &PgStore, scope: &TenantScope, query: &str) -> String {
    let filter = EventFilter::parse_query(query).unwrap().or_default_range();
    let mut tx = store.scoped_read(scope).await.unwrap();
    tx.execute("SET LOCAL enable_seqscan = off").await.unwrap();
    tx.execute("SET LOCAL enable_indexscan = off")
        .await
        .unwrap();
    let splits = page_splits::<PgStore>(&mut tx, scope, &filter)
        .await
        .unwrap();
    let lines: Vec<(String,)> =
        explain_events::<sqlx::Postgres>(scope, &filter, &PageRequest::first(50), &splits)
            .fetch_all(&mut tx)
            .await
            .unwrap();
    lines
        .into_iter()
        .map(|(l,)| l)
        .collect::<Vec<_>>()
        .join("\n")
}

async fn tenant_with_a_rare_word(store: &PgStore) -> i64 {
    let tenant = store.ensure_tenant("north", "North").await.unwrap();
    let events: Vec<NewEvent> = (0..20_000)
        .map(|i| {
            let mut e = event(i, "license.created", &format!("user{}", i % 40));
            e.occurred_at = Utc::now() - Duration::minutes(i);
            if i == 7_000 {
                e.description = "key rotated after the zanzibar incident".into();
            }
            e
        })
        .collect();
    for chunk in events.chunks(2_000) {
        store.append(tenant.id, chunk, None).await.unwrap();
    }
    let mut owner = store.owner_connection().await.unwrap();
    owner.execute("ANALYZE").await.unwrap();
    tenant.id
}

#[tokio::test]
async fn a_search_for_a_word_reads_the_search_index_under_row_level_security() {
    let store = postgres_store().await;
    let tenant = tenant_with_a_rare_word(&store).await;
    for scope in [TenantScope::tenant(tenant), TenantScope::all_tenants()] {
        let plan = plan(&store, &scope, "zanzibar").await;
        assert!(
            plan.lines()
                .any(|l| l.contains("Bitmap Index Scan on") && l.contains("search")),
            "{plan}"
        );
    }
    assert!(store.set_up_warnings().await.unwrap().is_empty());
}

/// The planner's estimate of `sql`'s rows, read in `scope` as the app reads.
async fn estimated_rows(store: &PgStore, scope: &TenantScope, sql: &str) -> f64 {
    let mut tx = store.scoped_read(scope).await.unwrap();
    let (plan,): (sqlx::types::Json<serde_json::Value>,) =
        sqlx::query_as(&format!("EXPLAIN (FORMAT JSON) {sql}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    plan.0[0]["Plan"]["Plan Rows"].as_f64().unwrap()
}

#[tokio::test]
async fn the_tenant_scope_policies_leave_the_planners_row_estimates_whole() {
    // Priced as a rare equality, the scope policy made every estimate a
    // hundredth of the truth, and a common value looked rare enough to
    // read in full and sort.
    let store = postgres_store().await;
    let north = store.ensure_tenant("north", "North").await.unwrap();
    let south = store.ensure_tenant("south", "South").await.unwrap();
    for (tenant, n) in [(north.id, 2_000), (south.id, 500)] {
        let events: Vec<NewEvent> = (0..n)
            .map(|i| event(i, "license.created", &format!("user{}", i % 40)))
            .collect();
        store.append(tenant, &events, None).await.unwrap();
    }
    let mut owner = store.owner_connection().await.unwrap();
    owner.execute("ANALYZE").await.unwrap();
    let north_only = format!("SELECT * FROM events WHERE tenant_id = {}", north.id);
    for scope in [TenantScope::tenant(north.id), TenantScope::all_tenants()] {
        let rows = estimated_rows(&store, &scope, &north_only).await;
        assert!((1_500.0..=2_500.0).contains(&rows), "{rows} of 2,000");
    }
    // The rollups carry the same policy: as estimated by the owner, whom
    // (a superuser here) no policy filters.
    let rollups = format!("SELECT * FROM rollup_hours WHERE tenant_id = {}", north.id);
    let (plan,): (sqlx::types::Json<serde_json::Value>,) =
        sqlx::query_as(&format!("EXPLAIN (FORMAT JSON) {rollups}"))
            .fetch_one(&mut owner)
            .await
            .unwrap();
    let unfiltered = plan.0[0]["Plan"]["Plan Rows"].as_f64().unwrap();
    let scoped = estimated_rows(&store, &TenantScope::tenant(north.id), &rollups).await;
    assert!(scoped >= unfiltered * 0.9, "{scoped} of {unfiltered}");
}
