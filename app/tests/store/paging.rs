//! Keyset pagination: newest first, no gaps, no repeats, stable under new writes.

use crate::support::{backends, event};
use app::{
    model::{EventFilter, PageRequest},
    store::TenantScope,
};

fn ids(page: &app::model::EventPage) -> Vec<String> {
    page.events.iter().map(|e| e.id.clone()).collect()
}

#[tokio::test]
async fn pages_walk_older_and_back_newer_without_gaps_or_repeats() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        // Ten events share each timestamp, so ties are broken by id.
        let batch: Vec<_> = (0..120)
            .map(|i| event(i / 10, "user.login", "alice"))
            .collect();
        store.append(tenant.id, &batch, None).await.unwrap();
        let (scope, filter) = (TenantScope::all_tenants(), EventFilter::default());

        let first = store
            .list_events(&scope, &filter, &PageRequest::first(50))
            .await
            .unwrap();
        assert!(first.newer.is_none());
        let older = |p: &app::model::EventPage| PageRequest {
            older_than: p.older.clone(),
            newer_than: None,
            limit: 50,
        };
        let second = store
            .list_events(&scope, &filter, &older(&first))
            .await
            .unwrap();
        let third = store
            .list_events(&scope, &filter, &older(&second))
            .await
            .unwrap();
        assert_eq!(
            (first.events.len(), second.events.len(), third.events.len()),
            (50, 50, 20)
        );
        assert!(third.older.is_none(), "{}", store.backend());

        let mut walked: Vec<_> = [ids(&first), ids(&second), ids(&third)].concat();
        let mut expected: Vec<_> = batch
            .iter()
            .map(|e| (e.occurred_at, e.id.clone()))
            .collect();
        expected.sort();
        expected.reverse();
        assert_eq!(
            walked,
            expected.into_iter().map(|(_, id)| id).collect::<Vec<_>>(),
            "{}",
            store.backend()
        );
        walked.dedup();
        assert_eq!(walked.len(), 120);

        let newer = PageRequest {
            older_than: None,
            newer_than: third.newer.clone(),
            limit: 50,
        };
        let back = store.list_events(&scope, &filter, &newer).await.unwrap();
        assert_eq!(ids(&back), ids(&second), "{}", store.backend());
        let newer = PageRequest {
            older_than: None,
            newer_than: back.newer.clone(),
            limit: 50,
        };
        let top = store.list_events(&scope, &filter, &newer).await.unwrap();
        assert_eq!(ids(&top), ids(&first), "{}", store.backend());
    }
}

#[tokio::test]
async fn an_older_page_stays_the_same_when_new_events_arrive() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let batch: Vec<_> = (0..100).map(|i| event(i, "user.login", "alice")).collect();
        store.append(tenant.id, &batch, None).await.unwrap();
        let (scope, filter) = (TenantScope::all_tenants(), EventFilter::default());
        let first = store
            .list_events(&scope, &filter, &PageRequest::first(50))
            .await
            .unwrap();
        let next = PageRequest {
            older_than: first.older.clone(),
            newer_than: None,
            limit: 50,
        };
        let before = store.list_events(&scope, &filter, &next).await.unwrap();

        let newer: Vec<_> = (200..230).map(|i| event(i, "user.login", "bob")).collect();
        store.append(tenant.id, &newer, None).await.unwrap();
        let after = store.list_events(&scope, &filter, &next).await.unwrap();

        assert_eq!(ids(&before), ids(&after), "{}", store.backend());
        let fresh = store
            .list_events(&scope, &filter, &PageRequest::first(50))
            .await
            .unwrap();
        assert_eq!(fresh.events[0].actor.id, "bob");
    }
}
