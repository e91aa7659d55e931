//! Job leases: with several servers on one database, one at a time runs
//! retention and the scheduled checkpoints, and a server that lost its
//! lease can no longer write for the job.

use crate::support::{backends, event};
use app::{
    integrity::{run_retention, sign_moved_heads, RetentionPolicy},
    store::{DbError, Signer, TenantScope},
};

const MINUTE_US: i64 = 60_000_000;

fn now() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

#[tokio::test]
async fn one_server_holds_a_jobs_lease_until_it_runs_out_and_the_next_holder_gets_a_higher_fence() {
    for store in backends().await {
        let at = now();
        let a = store
            .acquire_lease("retention", "a", at, MINUTE_US)
            .await
            .unwrap();
        let a = a.expect("a free lease is taken");
        assert_eq!(a.fence, 1, "{}", store.backend());
        let b = store
            .acquire_lease("retention", "b", at + 1, MINUTE_US)
            .await
            .unwrap();
        assert_eq!(b, None, "{}: held by a", store.backend());
        let other_job = store
            .acquire_lease("checkpoints", "b", at, MINUTE_US)
            .await
            .unwrap();
        assert!(other_job.is_some(), "each job has its own lease");
        let renewed = store
            .acquire_lease("retention", "a", at + 2, MINUTE_US)
            .await
            .unwrap();
        assert_eq!(renewed, Some(a.clone()), "renewing keeps the fence");

        let later = at + 2 + MINUTE_US;
        let b = store
            .acquire_lease("retention", "b", later, MINUTE_US)
            .await
            .unwrap();
        assert_eq!(
            b.expect("an expired lease is taken").fence,
            2,
            "{}",
            store.backend()
        );
        let a_again = store
            .acquire_lease("retention", "a", later + 1, MINUTE_US)
            .await
            .unwrap();
        assert_eq!(a_again, None, "a waits for b's lease now");
    }
}

#[tokio::test]
async fn a_released_lease_is_taken_by_another_server_at_once() {
    for store in backends().await {
        let at = now();
        let a = store
            .acquire_lease("retention", "a", at, MINUTE_US)
            .await
            .unwrap()
            .unwrap();
        store.release_lease(&a).await.unwrap();
        let b = store
            .acquire_lease("retention", "b", at + 1, MINUTE_US)
            .await
            .unwrap();
        assert_eq!(b.map(|f| f.fence), Some(2), "{}", store.backend());
    }
}

#[tokio::test]
async fn a_server_that_lost_its_lease_can_neither_sign_nor_cut_nor_delete() {
    for store in backends().await {
        let (signer, _) = Signer::generate();
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let batch: Vec<_> = (0..4).map(|i| event(i, "balance.added", "alice")).collect();
        store.append(tenant.id, &batch, None).await.unwrap();
        let at = now();
        let stale = store
            .acquire_lease("retention", "a", at, MINUTE_US)
            .await
            .unwrap()
            .unwrap();
        // b takes over as if a had stalled past its lease.
        let b = store.acquire_lease("retention", "b", at + MINUTE_US, MINUTE_US);
        let current = b.await.unwrap().expect("taken over");

        let policy = RetentionPolicy {
            default_days: 1,
            batch: 2,
        };
        let far_future = at + 3 * 86_400_000_000;
        let refused =
            run_retention(store.as_ref(), &signer, policy, far_future, Some(&stale)).await;
        assert!(
            matches!(refused, Err(DbError::Fenced(_))),
            "{}: {refused:?}",
            store.backend()
        );
        let head = store.chain_head(tenant.id).await.unwrap();
        let cut = signer.sign(
            tenant.id,
            "acme",
            head.clone(),
            at,
            app::store::reason::RETENTION,
        );
        let refused = store.record_cut(&cut, Some(&stale)).await;
        assert!(matches!(refused, Err(DbError::Fenced(_))), "{refused:?}");
        store.record_cut(&cut, None).await.unwrap();
        let refused = store.purge_batch(tenant.id, 10, Some(&stale)).await;
        assert!(matches!(refused, Err(DbError::Fenced(_))), "{refused:?}");
        let left = store.chain_events(tenant.id, 0, 10).await.unwrap();
        assert_eq!(
            left.len(),
            4,
            "{}: nothing deleted by the stale server",
            store.backend()
        );

        // The head moves past the last checkpoint (the cut), so there is
        // something to sign.
        let fifth = event(5, "balance.added", "alice");
        store.append(tenant.id, &[fifth], None).await.unwrap();
        let checkpoints = store.checkpoints(tenant.id, None).await.unwrap().len();
        let refused = sign_moved_heads(store.as_ref(), &signer, Some(&stale)).await;
        assert!(matches!(refused, Err(DbError::Fenced(_))), "{refused:?}");
        assert_eq!(
            store.checkpoints(tenant.id, None).await.unwrap().len(),
            checkpoints
        );

        // The holder's own writes go through.
        assert_eq!(
            store
                .purge_batch(tenant.id, 10, Some(&current))
                .await
                .unwrap(),
            4
        );
        let all = TenantScope::all_tenants();
        assert!(store.get_event(&all, &batch[0].id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_lease_that_ran_out_refuses_its_holders_writes_even_before_another_takes_it() {
    for store in backends().await {
        let (signer, _) = Signer::generate();
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        store
            .append(tenant.id, &[event(0, "user.login", "ann")], None)
            .await
            .unwrap();
        // Taken two minutes ago for one minute.
        let expired = store
            .acquire_lease("checkpoints", "a", now() - 2 * MINUTE_US, MINUTE_US)
            .await
            .unwrap()
            .unwrap();
        let refused = sign_moved_heads(store.as_ref(), &signer, Some(&expired)).await;
        assert!(
            matches!(refused, Err(DbError::Fenced(_))),
            "{}: {refused:?}",
            store.backend()
        );
        assert!(store.checkpoints(tenant.id, None).await.unwrap().is_empty());
    }
}
