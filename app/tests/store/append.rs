//! Appending: every field comes back, chains link, retries store nothing twice.

use crate::support::{backends, event};
use app::{
    model::{EventFilter, PageRequest},
    store::{AppendOutcome, Receipt, TenantScope, GENESIS_HASH},
};

#[tokio::test]
async fn an_appended_event_comes_back_with_every_field() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let sent = event(1, "license.created", "alice");
        store
            .append(tenant.id, std::slice::from_ref(&sent), None)
            .await
            .unwrap();

        let got = store
            .get_event(&TenantScope::all_tenants(), &sent.id)
            .await
            .unwrap()
            .expect("stored");
        assert_eq!(got.tenant, "acme", "{}", store.backend());
        assert_eq!(got.seq, 1);
        assert_eq!(got.occurred_at, sent.occurred_at);
        assert_eq!(got.actor, sent.actor);
        assert_eq!(
            (
                got.action.as_str(),
                got.category.as_str(),
                got.event_type.as_str()
            ),
            ("license.created", "license", "created")
        );
        assert_eq!(got.resource, sent.resource);
        assert_eq!(got.ip, sent.ip);
        assert_eq!(got.user_agent, sent.user_agent);
        assert_eq!(got.request_id, sent.request_id);
        assert_eq!(got.before, sent.before);
        assert_eq!(got.after, sent.after);
        assert_eq!(got.metadata, sent.metadata);
        assert_eq!(got.description, sent.description);
        assert_eq!(got.prev_hash, GENESIS_HASH);
        assert_eq!(got.hash.len(), 64);
    }
}

#[tokio::test]
async fn each_event_links_to_the_previous_hash_of_its_own_tenant() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let other = store.ensure_tenant("globex", "Globex").await.unwrap();
        let batch: Vec<_> = (0..5).map(|i| event(i, "user.login", "bob")).collect();
        store.append(acme.id, &batch[..3], None).await.unwrap();
        store
            .append(other.id, &[event(9, "user.login", "eve")], None)
            .await
            .unwrap();
        store.append(acme.id, &batch[3..], None).await.unwrap();

        let page = store
            .list_events(
                &TenantScope::tenant(acme.id),
                &EventFilter::default(),
                &PageRequest::first(50),
            )
            .await
            .unwrap();
        let mut chain = page.events.clone();
        chain.sort_by_key(|e| e.seq);
        assert_eq!(
            chain.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5],
            "{}",
            store.backend()
        );
        assert_eq!(chain[0].prev_hash, GENESIS_HASH);
        for pair in chain.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash, "{}", store.backend());
        }
    }
}

#[tokio::test]
async fn a_retried_idempotency_key_replays_the_first_answer_and_stores_nothing_twice() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let batch = vec![
            event(1, "balance.added", "alice"),
            event(2, "balance.added", "alice"),
        ];
        let receipt = Receipt {
            key: "batch-1".into(),
            request_hash: "h1".into(),
            response: "{\"accepted\":2}".into(),
        };

        let first = store
            .append(tenant.id, &batch, Some(&receipt))
            .await
            .unwrap();
        let retry_ids: Vec<_> = (3..5).map(|i| event(i, "balance.added", "alice")).collect();
        let second = store
            .append(tenant.id, &retry_ids, Some(&receipt))
            .await
            .unwrap();
        let other_body = Receipt {
            request_hash: "h2".into(),
            ..receipt.clone()
        };
        let third = store
            .append(tenant.id, &retry_ids, Some(&other_body))
            .await
            .unwrap();

        assert_eq!(first, AppendOutcome::Committed);
        assert_eq!(second, AppendOutcome::Replayed("{\"accepted\":2}".into()));
        assert_eq!(third, AppendOutcome::KeyReused);
        let page = store
            .list_events(
                &TenantScope::tenant(tenant.id),
                &EventFilter::default(),
                &PageRequest::first(50),
            )
            .await
            .unwrap();
        assert_eq!(page.events.len(), 2, "{}", store.backend());
    }
}
