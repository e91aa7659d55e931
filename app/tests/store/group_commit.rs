//! Group commit: appends sent at the same moment share one transaction, and
//! each keeps its own outcome. Sent together with `join_all`, the requests
//! are all queued before the committer's task first runs (the tests' runtime
//! has one thread), so they land in one group; the counters prove it.

use crate::support::{event, postgres_store, sqlite_store};
use app::store::{AppendOutcome, Backend, DbError, NewEvent, Receipt, Signer, Store, TenantScope};
use futures::future::join_all;

async fn on_both<F, Fut>(case: F)
where
    F: Fn(Box<dyn GroupStore>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    case(Box::new(sqlite_store().await)).await;
    case(Box::new(postgres_store().await)).await;
}

/// A store and its committer's counters.
trait GroupStore: Store {
    fn groups(&self) -> (u64, u64);
}

impl<B: Backend> GroupStore for B {
    fn groups(&self) -> (u64, u64) {
        let stats = self.committer().stats();
        (stats.groups, stats.requests)
    }
}

fn receipt(key: &str, body: &str) -> Receipt {
    Receipt {
        key: key.into(),
        request_hash: format!("hash of {body}"),
        response: format!("answer to {body}"),
    }
}

async fn verified_count(store: &dyn GroupStore, tenant: i64) -> i64 {
    let key = Signer::generate().0.public_key();
    store
        .verify_chain(tenant, &key)
        .await
        .unwrap()
        .unwrap_or_else(|broken| panic!("{}: chain broken: {broken:?}", store.backend()))
        .count()
}

#[tokio::test]
async fn concurrent_appends_for_several_tenants_commit_as_one_group_and_every_chain_verifies() {
    on_both(|store| async move {
        let mut tenants = Vec::new();
        for slug in ["acme", "globex", "initech"] {
            tenants.push(store.ensure_tenant(slug, slug).await.unwrap().id);
        }
        let before = store.groups();
        // Interleaved tenants, single events and batches.
        let requests: Vec<(i64, Vec<NewEvent>)> = (0..30)
            .map(|r| {
                let size = if r % 5 == 0 { 7 } else { 1 };
                let batch = (0..size)
                    .map(|i| event(r * 10 + i, "balance.added", &format!("u{r}")))
                    .collect();
                (tenants[r as usize % 3], batch)
            })
            .collect();
        let outcomes = join_all(requests.iter().map(|(t, b)| store.append(*t, b, None))).await;
        for outcome in outcomes {
            assert_eq!(outcome.unwrap(), AppendOutcome::Committed);
        }
        let after = store.groups();
        assert_eq!(
            (after.0 - before.0, after.1 - before.1),
            (1, 30),
            "{}: thirty requests in one group",
            store.backend()
        );
        for (i, &tenant) in tenants.iter().enumerate() {
            let sent = requests
                .iter()
                .filter(|(t, _)| *t == tenant)
                .map(|(_, b)| b.len() as i64)
                .sum::<i64>();
            assert_eq!(verified_count(&*store, tenant).await, sent, "tenant {i}");
        }
        // Each tenant's events in the order their requests arrived.
        let page = store
            .list_events(
                &TenantScope::tenant(tenants[0]),
                &app::model::EventFilter {
                    range: Some(app::model::QuickRange::All),
                    ..Default::default()
                },
                &app::model::PageRequest::first(500),
            )
            .await
            .unwrap();
        let mut by_seq: Vec<_> = page.events.iter().map(|e| (e.seq, e.id.clone())).collect();
        by_seq.sort();
        let sent_ids: Vec<String> = requests
            .iter()
            .filter(|(t, _)| *t == tenants[0])
            .flat_map(|(_, b)| b.iter().map(|e| e.id.clone()))
            .collect();
        let stored_ids: Vec<String> = by_seq.into_iter().map(|(_, id)| id).collect();
        assert_eq!(stored_ids, sent_ids, "{}", store.backend());
    })
    .await;
}

#[tokio::test]
async fn a_failing_request_in_a_group_fails_alone_and_leaves_no_gap_in_the_chain() {
    on_both(|store| async move {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap().id;
        let globex = store.ensure_tenant("globex", "Globex").await.unwrap().id;
        let stored = event(0, "user.login", "ann");
        store
            .append(acme, std::slice::from_ref(&stored), None)
            .await
            .unwrap();
        // The middle request repeats a stored event's id: its INSERT fails.
        let good_before = vec![event(1, "user.login", "bob")];
        let bad = vec![event(2, "user.login", "cy"), stored.clone()];
        let good_after = vec![event(3, "user.login", "dee")];
        let other = vec![event(4, "user.login", "eve")];
        let unknown = vec![event(5, "user.login", "fay")];
        let outcomes = join_all([
            store.append(acme, &good_before, None),
            store.append(acme, &bad, None),
            store.append(globex, &other, None),
            store.append(987_654, &unknown, None),
            store.append(acme, &good_after, None),
        ])
        .await;
        assert_eq!(outcomes[0].as_ref().unwrap(), &AppendOutcome::Committed);
        assert!(
            matches!(outcomes[1], Err(DbError::Sqlx(_))),
            "{}: {:?}",
            store.backend(),
            outcomes[1]
        );
        assert_eq!(outcomes[2].as_ref().unwrap(), &AppendOutcome::Committed);
        assert!(matches!(outcomes[3], Err(DbError::UnknownTenant(_))));
        assert_eq!(outcomes[4].as_ref().unwrap(), &AppendOutcome::Committed);
        // Three events, seq 1..=3, none of the failed request's.
        assert_eq!(
            verified_count(&*store, acme).await,
            3,
            "{}",
            store.backend()
        );
        assert_eq!(verified_count(&*store, globex).await, 1);
        let all = TenantScope::all_tenants();
        assert!(store.get_event(&all, &bad[0].id).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_retry_inside_the_same_group_is_answered_from_the_first_request_and_stores_nothing_twice()
{
    on_both(|store| async move {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap().id;
        let batch = vec![event(1, "key.reset", "ann"), event(2, "key.reset", "ann")];
        let first = receipt("k-1", "body");
        let other_body = receipt("k-1", "another body");
        let outcomes = join_all([
            store.append(acme, &batch, Some(&first)),
            store.append(acme, &batch, Some(&first)),
            store.append(acme, &batch, Some(&other_body)),
        ])
        .await;
        let outcomes: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            outcomes,
            vec![
                AppendOutcome::Committed,
                AppendOutcome::Replayed("answer to body".into()),
                AppendOutcome::KeyReused,
            ],
            "{}",
            store.backend()
        );
        assert_eq!(verified_count(&*store, acme).await, 2);
    })
    .await;
}

#[tokio::test]
async fn a_lone_batch_that_fails_in_its_second_insert_chunk_writes_none_of_its_events() {
    on_both(|store| async move {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap().id;
        let stored = event(0, "user.login", "ann");
        store
            .append(acme, std::slice::from_ref(&stored), None)
            .await
            .unwrap();
        // 450 events: the first chunk of 400 inserts, the second repeats an id.
        let mut batch: Vec<_> = (1..450).map(|i| event(i, "user.login", "bob")).collect();
        batch.push(stored.clone());
        let refused = store.append(acme, &batch, None).await;
        assert!(
            matches!(refused, Err(DbError::Sqlx(_))),
            "{}: the request's own error, not a group's: {refused:?}",
            store.backend()
        );
        store
            .append(acme, &[event(500, "user.login", "cy")], None)
            .await
            .unwrap();
        assert_eq!(
            verified_count(&*store, acme).await,
            2,
            "{}",
            store.backend()
        );
    })
    .await;
}
