//! Which index SQLite reads for each kind of filter. A first page must be
//! the head of one index range (or of one per alternative), never a scan of
//! the events table: these plans are what the 10,000,000-event benchmark
//! measured fast, pinned so a schema or query change cannot quietly lose them.

use crate::support::{event, sqlite_store};
use app::{
    model::{EventFilter, Outcome, PageRequest},
    store::{
        raw::{explain_events, page_splits},
        NewEvent, SqliteStore, Store, TenantScope,
    },
};
use chrono::{Duration, Utc};
use sqlx::Row;

async fn plan(store: &SqliteStore, scope: &TenantScope, query: &str) -> String {
    let filter = EventFilter::parse_query(query).unwrap().or_default_range();
    let mut tx = store.read_pool().begin().await.unwrap();
    let splits = page_splits::<SqliteStore>(&mut tx, scope, &filter)
        .await
        .unwrap();
    let rows = explain_events::<sqlx::Sqlite>(scope, &filter, &PageRequest::first(50), &splits)
        .to_sqlx()
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[tokio::test]
async fn every_filter_reads_an_index_range_never_the_whole_events_table() {
    let store = sqlite_store().await;
    let mut ids = Vec::new();
    for slug in ["north", "south"] {
        let tenant = store.ensure_tenant(slug, slug).await.unwrap();
        let events: Vec<NewEvent> = (0..400)
            .map(|i| {
                let actor = format!("user{}", i % 40);
                let mut e = event(i, ["a.one", "b.two", "c.three"][i as usize % 3], &actor);
                e.ip = Some(format!("203.0.113.{}", i % 200));
                if i % 20 == 0 {
                    e.outcome = Outcome::Failure;
                }
                // Inside the default 30 days, so the plans are those of a
                // range with rows in it.
                e.occurred_at = Utc::now() - Duration::minutes(i);
                e
            })
            .collect();
        store.append(tenant.id, &events, None).await.unwrap();
        ids.push(tenant.id);
    }
    sqlx::query("ANALYZE")
        .execute(store.write_pool())
        .await
        .unwrap();
    let one = TenantScope::tenant(ids[0]);
    let all = TenantScope::all_tenants();
    let cases: &[(&TenantScope, &str, &[&str])] = &[
        (&one, "", &["events_tenant_time"]),
        (&one, "action:a.one", &["events_tenant_action"]),
        // By email: the directory names the id, whose range is read.
        (&one, "actor:user7@example.com", &["events_tenant_actor "]),
        (&all, "actor:user7@example.com", &["events_tenant_actor "]),
        (&one, "ip:203.0.113.9", &["events_tenant_ip"]),
        (&one, "resource_id:K-5", &["events_tenant_resource_id"]),
        (&one, "resource_type:license", &["events_tenant_"]),
        (&one, "-outcome:success", &["events_tenant_unsuccessful"]),
        // Who failed, and from where: only the unsuccessful events of one
        // actor or address, however many successes they have.
        (
            &one,
            "actor:user7@example.com outcome:failure",
            &["events_tenant_actor_unsuccessful"],
        ),
        (
            &one,
            "ip:203.0.113.9 -outcome:success",
            &["events_tenant_ip_unsuccessful"],
        ),
        (
            &one,
            "outcome:failure action:a.*",
            &["events_tenant_unsuccessful"],
        ),
        (&all, "", &["events_time"]),
        (&all, "ip:203.0.113.9", &["events_tenant_ip"]),
        (&all, "action:a.one action:b.two", &["events_tenant_action"]),
    ];
    for (scope, query, indexes) in cases {
        let plan = plan(&store, scope, query).await;
        for index in *indexes {
            assert!(
                plan.contains(index),
                "{query:?} should read {index}: {plan}"
            );
        }
        for step in plan.split("; ") {
            assert!(
                !step.starts_with("SCAN e") || step.contains("INDEX"),
                "{query:?} scans the events table: {plan}"
            );
        }
    }
}
