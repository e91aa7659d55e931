//! Retention deletes only expired events, behind a signed cut, and what
//! remains still verifies; holds and "forever" keep everything.

use crate::support::{backends, event};
use app::{
    integrity::{run_retention, RetentionPolicy},
    model::{EventFilter, PageRequest, Retention, SELF_TENANT},
    store::{ChainBreak, Signer, Store, TenantScope},
};
use std::time::Duration;

const DAY_US: i64 = 86_400_000_000;

/// Three events, a pause, two more; returns the tenant id and a moment at
/// which, with one-day retention, exactly the first three have expired.
async fn three_old_two_new(store: &dyn Store) -> (i64, i64) {
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    let batch: Vec<_> = (0..5).map(|i| event(i, "balance.added", "alice")).collect();
    store.append(tenant.id, &batch[..3], None).await.unwrap();
    let third = store.chain_events(tenant.id, 2, 1).await.unwrap();
    let received = third[0].received_at.timestamp_micros();
    tokio::time::sleep(Duration::from_millis(5)).await;
    store.append(tenant.id, &batch[3..], None).await.unwrap();
    (tenant.id, received + DAY_US + 1)
}

fn one_day() -> RetentionPolicy {
    RetentionPolicy {
        default_days: 1,
        batch: 2,
    }
}

#[tokio::test]
async fn a_purge_deletes_the_expired_events_and_what_remains_still_verifies() {
    for store in backends().await {
        let (signer, _) = Signer::generate();
        let (tenant, now) = three_old_two_new(store.as_ref()).await;
        let purges = run_retention(store.as_ref(), &signer, one_day(), now, None)
            .await
            .unwrap();
        let acme: Vec<_> = purges.iter().filter(|p| p.tenant == "acme").collect();
        assert_eq!(acme.len(), 1, "{}", store.backend());
        assert_eq!((acme[0].deleted, acme[0].cut_seq), (3, 3));

        let left = store.chain_events(tenant, 0, 10).await.unwrap();
        let seqs: Vec<i64> = left.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [4, 5], "{}", store.backend());
        let verified = store
            .verify_chain(tenant, &signer.public_key())
            .await
            .unwrap()
            .expect("what remains verifies");
        assert_eq!((verified.count(), verified.cut_seq()), (2, 3));

        let own = store.tenant_by_slug(SELF_TENANT).await.unwrap().unwrap();
        let filter = EventFilter {
            tenant: Some(own.slug),
            is: app::model::Terms {
                actions: vec!["retention.purged".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        let logged = store
            .list_events(
                &TenantScope::all_tenants(),
                &filter,
                &PageRequest::first(10),
            )
            .await
            .unwrap();
        assert_eq!(logged.events.len(), 1, "{}", store.backend());
        assert_eq!(logged.events[0].metadata.as_ref().unwrap()["deleted"], 3);
    }
}

#[tokio::test]
async fn a_legal_hold_or_keep_forever_deletes_nothing() {
    for store in backends().await {
        let (signer, _) = Signer::generate();
        let (tenant, now) = three_old_two_new(store.as_ref()).await;
        for (retention, hold) in [(Retention::Default, true), (Retention::Forever, false)] {
            store
                .update_tenant_settings(tenant, retention, hold, &[])
                .await
                .unwrap();
            let purges = run_retention(store.as_ref(), &signer, one_day(), now, None)
                .await
                .unwrap();
            assert!(purges.iter().all(|p| p.tenant != "acme"), "{purges:?}");
            assert_eq!(store.chain_events(tenant, 0, 10).await.unwrap().len(), 5);
        }
    }
}

#[tokio::test]
async fn a_cut_without_a_signed_checkpoint_or_from_another_key_is_not_trusted() {
    for store in backends().await {
        let (signer, _) = Signer::generate();
        let (tenant, now) = three_old_two_new(store.as_ref()).await;
        run_retention(store.as_ref(), &signer, one_day(), now, None)
            .await
            .unwrap();
        let (stranger, _) = Signer::generate();
        let result = store
            .verify_chain(tenant, &stranger.public_key())
            .await
            .unwrap();
        assert!(
            matches!(result, Err(ChainBreak::Checkpoint { seq: 3, .. })),
            "{}: {result:?}",
            store.backend()
        );
    }
}

#[tokio::test]
async fn retention_settings_are_stored_per_tenant() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let words = vec!["pin_code".to_string(), "mothers_maiden_name".to_string()];
        store
            .update_tenant_settings(tenant.id, Retention::Days(30), true, &words)
            .await
            .unwrap();
        let all = store
            .tenant_settings(&TenantScope::tenant(tenant.id))
            .await
            .unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].retention, Retention::Days(30));
        assert!(all[0].legal_hold);
        assert_eq!(all[0].redaction_words, words);
    }
}
