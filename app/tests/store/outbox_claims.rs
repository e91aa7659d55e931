//! A delivery's claim fences its outcome: a worker that stalled past its
//! claim while another took the delivery over records nothing.

use crate::support::{backends, event};
use app::{
    model::DestinationKind,
    store::{DestinationInput, Health, RuleInput, TenantScope},
};

const MINUTE_US: i64 = 60_000_000;

#[tokio::test]
async fn an_attempt_recorded_after_its_claim_passed_to_another_worker_changes_nothing() {
    for store in backends().await {
        let name = store.backend();
        let shop = store.ensure_tenant("shop", "Shop").await.unwrap();
        let all = TenantScope::all_tenants();
        let hook = DestinationInput {
            tenant_id: None,
            name: "hook".into(),
            kind: DestinationKind::Webhook,
            target: "http://127.0.0.1:9/hook".into(),
            secret: None,
            by: None,
        };
        let to = store
            .save_alert_destination(&all, &hook)
            .await
            .unwrap()
            .unwrap()
            .id;
        let rule = RuleInput {
            id: None,
            tenant_id: Some(shop.id),
            name: "balance".into(),
            conditions: "action:balance.*".into(),
            threshold: None,
            silence_secs: None,
            enabled: true,
            destinations: vec![to],
            by: None,
        };
        store.save_alert_rule(&all, &rule).await.unwrap().unwrap();
        store
            .append(shop.id, &[event(0, "balance.added", "ann")], None)
            .await
            .unwrap();

        let now = chrono::Utc::now().timestamp_micros();
        let stalled = store
            .claim_deliveries(now, MINUTE_US, 10, &[])
            .await
            .unwrap();
        assert_eq!(stalled.len(), 1, "{name}");
        // The claim runs out; another worker takes the delivery.
        let later = now + MINUTE_US + 1;
        let current = store
            .claim_deliveries(later, MINUTE_US, 10, &[])
            .await
            .unwrap();
        assert_eq!(current.len(), 1, "{name}");
        assert_ne!(current[0].claim, stalled[0].claim);

        let lost = store
            .delivery_failed(&stalled[0], "timed out", later + 5, Some(later + MINUTE_US))
            .await
            .unwrap();
        assert_eq!(lost, Health::ClaimLost, "{name}");
        store.release_deliveries(&stalled).await.unwrap();
        let lost = store.delivery_sent(&stalled[0], later + 6).await.unwrap();
        assert_eq!(lost, Health::ClaimLost, "{name}");
        assert!(
            store
                .claim_deliveries(later + 7, MINUTE_US, 10, &[])
                .await
                .unwrap()
                .is_empty(),
            "{name}: the stalled worker's outcome and release did not free the delivery"
        );

        let sent = store.delivery_sent(&current[0], later + 8).await.unwrap();
        assert_eq!(sent, Health::Unchanged, "{name}");
        let again = store.delivery_sent(&current[0], later + 9).await.unwrap();
        assert_eq!(
            again,
            Health::ClaimLost,
            "{name}: a delivery is recorded sent once"
        );
    }
}
