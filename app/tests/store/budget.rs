//! A read past its time budget is stopped by the database itself and
//! reported as such, on both backends; the next read runs normally.

use crate::support::{backends, event};
use app::{
    model::{EventFilter, PageRequest, QuickRange},
    store::{DbError, TenantScope},
};
use std::time::Duration;

#[tokio::test]
async fn a_search_that_walks_the_whole_log_is_stopped_at_its_budget() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        for chunk in 0..30 {
            let batch: Vec<_> = (0..1_000)
                .map(|i| {
                    let mut e = event(chunk * 1_000 + i, "user.login", "alice");
                    e.description = format!("alpha common word number {i}");
                    e
                })
                .collect();
            store.append(tenant.id, &batch, None).await.unwrap();
        }
        // Every event has the word and is of severity info: every event is
        // a candidate that must be read to be rejected. (Not a condition an
        // index can answer, such as an absent actor or `-outcome:success`:
        // once PostgreSQL's autovacuum has analysed the table, its planner
        // answers those in no time.)
        let filter = EventFilter {
            text: Some("alpha".into()),
            range: Some(QuickRange::All),
            ..EventFilter::parse_query("-severity:info").unwrap()
        };
        let scope = TenantScope::all_tenants();
        store.set_read_budget(Duration::from_millis(1));
        let result = store
            .list_events(&scope, &filter, &PageRequest::first(50))
            .await;
        assert!(
            matches!(result, Err(DbError::TimedOut)),
            "{}: {:?}",
            store.backend(),
            result.map(|p| p.events.len())
        );
        store.set_read_budget(Duration::from_secs(60));
        let page = store
            .list_events(&scope, &filter, &PageRequest::first(50))
            .await
            .unwrap();
        assert!(page.events.is_empty());
    }
}
