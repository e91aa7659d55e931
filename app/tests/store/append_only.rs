//! The database itself refuses to change or delete events.

use crate::support::{event, postgres_store, sqlite_store};
use app::store::Store;

#[tokio::test]
async fn sqlite_refuses_update_and_delete_of_events() {
    let store = sqlite_store().await;
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    store
        .append(tenant.id, &[event(1, "balance.added", "alice")], None)
        .await
        .unwrap();
    let pool = store.write_pool();

    let update = sqlx::query("UPDATE events SET description = 'nothing happened'")
        .execute(pool)
        .await;
    let delete = sqlx::query("DELETE FROM events").execute(pool).await;

    let update = update.unwrap_err().to_string();
    assert!(update.contains("append-only"), "{update}");
    assert!(delete
        .unwrap_err()
        .to_string()
        .contains("only the retention job"));
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn postgres_refuses_update_delete_and_truncate_of_events() {
    let store = postgres_store().await;
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    store
        .append(tenant.id, &[event(1, "balance.added", "alice")], None)
        .await
        .unwrap();
    let pool = store.pool();

    for statement in [
        "UPDATE events SET description = 'x'",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let err = sqlx::query(statement)
            .execute(pool)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn postgres_lets_only_a_transaction_flagged_as_the_retention_job_delete() {
    let store = postgres_store().await;
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    store
        .append(tenant.id, &[event(1, "balance.added", "alice")], None)
        .await
        .unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query("SET LOCAL logbook.retention_job = 'on'")
        .execute(&mut *tx)
        .await
        .unwrap();
    let deleted = sqlx::query("DELETE FROM events")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(deleted.rows_affected(), 1);
}
