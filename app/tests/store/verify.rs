//! Chain verification names the first broken entry, on both backends.

use crate::support::{event, postgres_store, sqlite_store};
use app::store::{ChainBreak, PublicKey, Signer, Store};

/// Any key will do where no checkpoint is involved.
fn key() -> PublicKey {
    Signer::generate().0.public_key()
}

/// Tampering needs the triggers out of the way (and, on PostgreSQL, the
/// owner's connection), as an attacker with owner rights would.
const SQLITE_TAMPER: &[&str] = &[
    "DROP TRIGGER events_no_update",
    "DROP TRIGGER events_no_delete",
];
const POSTGRES_TAMPER: &[&str] = &["ALTER TABLE events DISABLE TRIGGER events_append_only"];

async fn five_events(store: &dyn Store) -> i64 {
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    let batch: Vec<_> = (0..5).map(|i| event(i, "balance.added", "alice")).collect();
    store.append(tenant.id, &batch[..2], None).await.unwrap();
    store.append(tenant.id, &batch[2..], None).await.unwrap();
    tenant.id
}

/// Runs `statements` with tampering allowed, then verifies.
macro_rules! tampered {
    ($store:expr, $pool:expr, $tamper:expr, $statements:expr) => {{
        let tenant = five_events(&$store).await;
        for sql in $tamper.iter().chain($statements.iter()) {
            sqlx::query(sql).execute($pool).await.unwrap();
        }
        $store.verify_chain(tenant, &key()).await.unwrap()
    }};
}

#[tokio::test]
async fn an_intact_chain_verifies_with_its_count_and_head() {
    for store in [
        Box::new(sqlite_store().await) as Box<dyn Store>,
        Box::new(postgres_store().await),
    ] {
        let tenant = five_events(store.as_ref()).await;
        let verified = store
            .verify_chain(tenant, &key())
            .await
            .unwrap()
            .expect("intact");
        assert_eq!(verified.count(), 5, "{}", store.backend());
        assert_eq!(
            verified.head_hash(),
            store.chain_head(tenant).await.unwrap().1
        );
    }
}

#[tokio::test]
async fn a_changed_description_is_named_by_sequence_number() {
    let update = ["UPDATE events SET description = 'nothing to see' WHERE seq = 3"];
    let s = sqlite_store().await;
    let result = tampered!(s, s.write_pool(), SQLITE_TAMPER, update);
    assert!(
        matches!(result, Err(ChainBreak::Changed { seq: 3, .. })),
        "sqlite: {result:?}"
    );
    let p = postgres_store().await;
    let mut owner = p.owner_connection().await.unwrap();
    let result = tampered!(p, &mut owner, POSTGRES_TAMPER, update);
    assert!(
        matches!(result, Err(ChainBreak::Changed { seq: 3, .. })),
        "postgres: {result:?}"
    );
}

#[tokio::test]
async fn a_deleted_event_in_the_middle_or_at_the_end_is_reported_missing() {
    for (seq, expected) in [
        (
            2,
            ChainBreak::Missing {
                from_seq: 2,
                to_seq: 2,
            },
        ),
        (
            5,
            ChainBreak::Missing {
                from_seq: 5,
                to_seq: 5,
            },
        ),
    ] {
        let delete = [format!("DELETE FROM events WHERE seq = {seq}")];
        let delete: Vec<&str> = delete.iter().map(String::as_str).collect();
        let s = sqlite_store().await;
        let result = tampered!(s, s.write_pool(), SQLITE_TAMPER, delete);
        assert_eq!(result.unwrap_err(), expected, "sqlite");
        let p = postgres_store().await;
        let mut owner = p.owner_connection().await.unwrap();
        let result = tampered!(p, &mut owner, POSTGRES_TAMPER, delete);
        assert_eq!(result.unwrap_err(), expected, "postgres");
    }
}

#[tokio::test]
async fn floats_that_need_every_digit_still_verify_after_a_round_trip() {
    for store in [
        Box::new(sqlite_store().await) as Box<dyn Store>,
        Box::new(postgres_store().await),
    ] {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let mut sent = event(1, "balance.transferred", "alice");
        sent.after = Some(serde_json::json!({ "balance": 31864.239999999998, "sum": 0.1 + 0.2 }));
        sent.metadata = Some(serde_json::json!({ "amount": 4019.24, "rate": 1.0000000000000002 }));
        store
            .append(tenant.id, std::slice::from_ref(&sent), None)
            .await
            .unwrap();
        let verified = store.verify_chain(tenant.id, &key()).await.unwrap();
        assert!(verified.is_ok(), "{}: {verified:?}", store.backend());
    }
}

#[tokio::test]
async fn an_event_inserted_after_the_head_is_named_as_inserted() {
    // A copy of event 5 appended as #6 (under an id of the same moment), with a hash consistent with its
    // fields would still not be at a head Logbook recorded.
    let insert = [
        "INSERT INTO events (id, tenant_id, seq, occurred_at, received_at, actor_id, \
         actor_name, actor_email, actor_type, action, category, event_type, outcome, severity, \
         resource_type, resource_id, resource_name, targets_json, ip, user_agent_id, request_id, \
         before_json, after_json, description, metadata_json, prev_hash, hash) \
         SELECT substr(id, 1, 20) || 'FORGED', tenant_id, 6, occurred_at, received_at, \
         actor_id, actor_name, actor_email, actor_type, action, category, event_type, outcome, \
         severity, resource_type, resource_id, resource_name, targets_json, ip, user_agent_id, \
         request_id, before_json, after_json, description, metadata_json, hash, hash \
         FROM events WHERE seq = 5",
    ];
    let s = sqlite_store().await;
    let result = tampered!(s, s.write_pool(), SQLITE_TAMPER, insert);
    assert!(
        matches!(result, Err(ChainBreak::Inserted { seq: 6, .. })),
        "sqlite: {result:?}"
    );
    let p = postgres_store().await;
    let mut owner = p.owner_connection().await.unwrap();
    let result = tampered!(p, &mut owner, POSTGRES_TAMPER, insert);
    assert!(
        matches!(result, Err(ChainBreak::Inserted { seq: 6, .. })),
        "postgres: {result:?}"
    );
}

#[tokio::test]
async fn two_events_swapped_in_order_are_named_at_the_first_moved_place() {
    let swap = [
        "UPDATE events SET seq = -2 WHERE seq = 2",
        "UPDATE events SET seq = 2 WHERE seq = 3",
        "UPDATE events SET seq = 3 WHERE seq = -2",
    ];
    let s = sqlite_store().await;
    let result = tampered!(s, s.write_pool(), SQLITE_TAMPER, swap);
    assert!(
        matches!(result, Err(ChainBreak::Relinked { seq: 2, .. })),
        "sqlite: {result:?}"
    );
    let p = postgres_store().await;
    let mut owner = p.owner_connection().await.unwrap();
    let result = tampered!(p, &mut owner, POSTGRES_TAMPER, swap);
    assert!(
        matches!(result, Err(ChainBreak::Relinked { seq: 2, .. })),
        "postgres: {result:?}"
    );
}

#[tokio::test]
async fn twenty_concurrent_appends_to_one_tenant_leave_one_valid_chain() {
    for store in crate::support::backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let writers = (0..20).map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                let batch: Vec<_> = (0..10)
                    .map(|i| event(w * 10 + i, "balance.added", &format!("writer{w}")))
                    .collect();
                store.append(tenant.id, &batch, None).await.unwrap();
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.unwrap();
        }
        let verified = store
            .verify_chain(tenant.id, &key())
            .await
            .unwrap()
            .expect("one unforked chain");
        assert_eq!(verified.count(), 200, "{}", store.backend());
    }
}
