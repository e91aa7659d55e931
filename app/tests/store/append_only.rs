//! The database itself refuses to change or delete events.

use crate::support::{event, postgres_store, sqlite_store};
use app::store::{IntegrityStore, PgStore, Store};

/// A store holding one event, for acme.
async fn one_event(store: &dyn Store) {
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    store
        .append(tenant.id, &[event(1, "balance.added", "alice")], None)
        .await
        .unwrap();
}

/// Events in the table, counted as the owner (no row-level security).
async fn owner_count(store: &PgStore) -> i64 {
    let mut owner = store.owner_connection().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(&mut owner)
        .await
        .unwrap()
}

#[tokio::test]
async fn sqlite_refuses_update_and_delete_of_events() {
    let store = sqlite_store().await;
    one_event(&store).await;
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
async fn postgres_refuses_update_delete_and_truncate_of_events_even_to_the_owner() {
    let store = postgres_store().await;
    one_event(&store).await;
    let mut owner = store.owner_connection().await.unwrap();
    for statement in [
        "UPDATE events SET description = 'x'",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
    ] {
        let err = sqlx::query(statement)
            .execute(&mut owner)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("append-only"), "{statement}: {err}");
    }
    assert_eq!(owner_count(&store).await, 1);
}

#[tokio::test]
async fn the_postgres_app_role_may_not_update_or_truncate_and_deletes_nothing() {
    let store = postgres_store().await;
    one_event(&store).await;
    let pool = store.pool();
    for statement in [
        "UPDATE events SET description = 'x'",
        "TRUNCATE events CASCADE",
    ] {
        let err = sqlx::query(statement)
            .execute(pool)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("permission denied"), "{statement}: {err}");
    }
    // Row-level security shows a DELETE outside the retention job no rows.
    let deleted = sqlx::query("DELETE FROM events")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected(), 0);
    assert_eq!(owner_count(&store).await, 1);
}

#[tokio::test]
async fn postgres_row_security_shows_a_transaction_only_the_tenant_it_names() {
    let store = postgres_store().await;
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
    store
        .append(acme.id, &[event(1, "balance.added", "alice")], None)
        .await
        .unwrap();
    store
        .append(globex.id, &[event(2, "balance.added", "bob")], None)
        .await
        .unwrap();
    let count = |scope: String| {
        let pool = store.pool().clone();
        async move {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('logbook.scope', $1, true)")
                .bind(scope)
                .execute(&mut *tx)
                .await
                .unwrap();
            // No tenant condition at all: only the policy limits the rows.
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
                .fetch_one(&mut *tx)
                .await
                .unwrap();
            n
        }
    };
    assert_eq!(count(acme.id.to_string()).await, 1);
    assert_eq!(count("*".into()).await, 2);
    assert_eq!(count(String::new()).await, 0);
    let unscoped: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(unscoped, 0, "a read that names no scope sees nothing");
}

#[tokio::test]
async fn postgres_lets_the_retention_job_delete_only_up_to_its_recorded_cut() {
    let store = postgres_store().await;
    one_event(&store).await;
    let delete_as_retention_job = || async {
        let mut tx = store.pool().begin().await.unwrap();
        sqlx::query("SET LOCAL logbook.retention_job = 'on'")
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("SET LOCAL logbook.scope = '*'")
            .execute(&mut *tx)
            .await
            .unwrap();
        let deleted = sqlx::query("DELETE FROM events").execute(&mut *tx).await;
        tx.commit().await.map(|_| deleted)
    };
    let before_cut = delete_as_retention_job().await;
    assert!(
        before_cut.is_err() || before_cut.as_ref().unwrap().is_err(),
        "no cut recorded yet: {before_cut:?}"
    );
    assert_eq!(owner_count(&store).await, 1);

    let tenant = store.tenant_by_slug("acme").await.unwrap().unwrap();
    let (seq, hash) = store.chain_head(tenant.id).await.unwrap();
    let (signer, _) = app::store::Signer::generate();
    let cut = signer.sign(
        tenant.id,
        "acme",
        (seq, hash),
        1,
        app::store::reason::RETENTION,
    );
    store.record_cut(&cut, None).await.unwrap();
    let deleted = delete_as_retention_job().await.unwrap().unwrap();
    assert_eq!(deleted.rows_affected(), 1);
}

#[tokio::test]
async fn sqlite_lets_the_retention_path_delete_only_up_to_its_recorded_cut() {
    let store = sqlite_store().await;
    one_event(&store).await;
    let pool = store.write_pool();
    // The retention job's own path: the guard switched on inside its transaction.
    let delete_as_retention_job = || async {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("UPDATE retention_guard SET active = 1")
            .execute(&mut *tx)
            .await
            .unwrap();
        let deleted = sqlx::query("DELETE FROM events").execute(&mut *tx).await;
        sqlx::query("UPDATE retention_guard SET active = 0")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        deleted
    };
    let before_cut = delete_as_retention_job().await.unwrap_err().to_string();
    assert!(before_cut.contains("up to its cut"), "{before_cut}");

    let tenant = store.tenant_by_slug("acme").await.unwrap().unwrap();
    let (seq, hash) = store.chain_head(tenant.id).await.unwrap();
    let (signer, _) = app::store::Signer::generate();
    let cut = signer.sign(
        tenant.id,
        "acme",
        (seq, hash),
        1,
        app::store::reason::RETENTION,
    );
    store.record_cut(&cut, None).await.unwrap();
    assert_eq!(delete_as_retention_job().await.unwrap().rows_affected(), 1);
}
