//! Idempotency receipts answer retries for a while, then are deleted.

use crate::support::{backends, event};
use app::store::{AppendOutcome, Receipt, Store};

async fn send(store: &dyn Store, tenant: i64, receipt: &Receipt) -> AppendOutcome {
    let events = [event(1, "user.login", "ann")];
    store.append(tenant, &events, Some(receipt)).await.unwrap()
}

#[tokio::test]
async fn an_expired_receipt_is_deleted_and_its_key_may_be_used_again() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap().id;
        let receipt = Receipt {
            key: "retry-1".into(),
            request_hash: "h".repeat(64),
            response: r#"{"accepted":1,"rejected":0,"results":[]}"#.into(),
        };
        assert!(matches!(
            send(&*store, tenant, &receipt).await,
            AppendOutcome::Committed
        ));
        assert!(matches!(
            send(&*store, tenant, &receipt).await,
            AppendOutcome::Replayed(_)
        ));
        let now = chrono::Utc::now().timestamp_micros();
        assert_eq!(
            store.purge_receipts(now - 60_000_000).await.unwrap(),
            0,
            "still fresh"
        );
        assert_eq!(store.purge_receipts(now + 1).await.unwrap(), 1);
        assert!(
            matches!(
                send(&*store, tenant, &receipt).await,
                AppendOutcome::Committed
            ),
            "{}: a deleted receipt answers nothing",
            store.backend()
        );
    }
}
