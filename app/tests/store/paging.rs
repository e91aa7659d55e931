//! Keyset pagination: newest first, no gaps, no repeats, stable under new writes.

use crate::support::{backends, event, page_order, walk_older};
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
        // Ten events share each timestamp, so ties are broken by chain position.
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
            older_than: p.older,
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
        // Ties on time go by chain position: the order of the batch.
        assert_eq!(walked, page_order(&batch), "{}", store.backend());
        walked.dedup();
        assert_eq!(walked.len(), 120);

        let newer = PageRequest {
            older_than: None,
            newer_than: third.newer,
            limit: 50,
        };
        let back = store.list_events(&scope, &filter, &newer).await.unwrap();
        assert_eq!(ids(&back), ids(&second), "{}", store.backend());
        let newer = PageRequest {
            older_than: None,
            newer_than: back.newer,
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
            older_than: first.older,
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

#[tokio::test]
async fn pages_across_tenants_whose_events_share_times_walk_without_gaps_or_repeats() {
    for store in backends().await {
        let mut expected = Vec::new();
        for slug in ["acme", "globex"] {
            let tenant = store.ensure_tenant(slug, slug).await.unwrap();
            // Eight events to a minute in both tenants: every page boundary
            // falls inside a run of equal times shared by the two tenants.
            let batch: Vec<_> = (0..24)
                .map(|i| event(i / 8, "user.login", "alice"))
                .collect();
            store.append(tenant.id, &batch, None).await.unwrap();
            for (i, e) in batch.iter().enumerate() {
                expected.push((e.occurred_at, tenant.id, i, e.id.clone()));
                let tag = app::store::NewNote {
                    event_id: e.id.clone(),
                    kind: app::model::NoteKind::Tag,
                    text: "checked".into(),
                    author_id: None,
                    author: "admin@test.io".into(),
                };
                let all = TenantScope::all_tenants();
                store.add_note(&all, &tag).await.unwrap().unwrap();
            }
        }
        expected.sort();
        expected.reverse();
        let acme = expected[0].1.min(expected[expected.len() - 1].1);
        let every: Vec<String> = expected.iter().map(|e| e.3.clone()).collect();
        let acme_only: Vec<String> = expected
            .iter()
            .filter(|e| e.1 == acme)
            .map(|e| e.3.clone())
            .collect();
        // No filter (the time index), an actor (one read per column, merged),
        // a word (the free-text walk) and a tag alone (the notes' index).
        for (scope, query, want) in [
            (TenantScope::all_tenants(), "", &every),
            (TenantScope::all_tenants(), "actor:alice", &every),
            (TenantScope::all_tenants(), "alice", &every),
            (TenantScope::tenant(acme), "tag:checked", &acme_only),
            (TenantScope::tenant(acme), "alice", &acme_only),
        ] {
            let walked = walk_older(&*store, &scope, query, 5).await;
            assert_eq!(&walked, want, "{}: '{query}'", store.backend());
        }
    }
}
