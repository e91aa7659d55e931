//! A full database refuses writes with `StorageFull`, and says so in
//! `write_fault` until the next append goes through once there is room,
//! without a restart. SQLite's `max_page_count` stands in for the full disk
//! here (the same SQLITE_FULL, raised by the statement); a disk that fills
//! at COMMIT, where SQLite rolls the transaction back itself and the writer
//! used to stay stuck, is `reliability`'s disk-full run on a real
//! filesystem.

use crate::support::{event, sqlite_store};
use app::store::{DbError, Store};
use sqlx::Executor;

async fn pages(store: &app::store::SqliteStore) -> i64 {
    sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(store.write_pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_append_refused_for_a_full_database_says_so_and_the_next_one_after_room_returns_is_stored(
) {
    let store = sqlite_store().await;
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap().id;
    store
        .append(acme, &[event(0, "user.login", "u1")], None)
        .await
        .unwrap();
    assert_eq!(store.write_fault(), None);

    // The writer may not grow the file past its current size.
    let now = pages(&store).await;
    store
        .write_pool()
        .execute(format!("PRAGMA max_page_count = {now}").as_str())
        .await
        .unwrap();
    let big: Vec<_> = (0..500)
        .map(|i| {
            let mut e = event(i, "user.login", "u1");
            e.description = "x".repeat(2_000);
            e
        })
        .collect();
    let refused = store.append(acme, &big, None).await;
    assert!(matches!(refused, Err(DbError::StorageFull)), "{refused:?}");
    assert_eq!(store.write_fault().map(|f| f.code), Some("storage_full"));

    // Room again (a new writer connection has no page limit; the old one
    // is lifted too, in case it survived).
    let _ = store
        .write_pool()
        .execute("PRAGMA max_page_count = 4294967294")
        .await;
    let stored = store
        .append(acme, &[event(1, "user.login", "u2")], None)
        .await;
    assert!(stored.is_ok(), "the writer stayed broken: {stored:?}");
    assert_eq!(store.write_fault(), None);
}
