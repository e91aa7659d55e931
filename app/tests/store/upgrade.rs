//! A database written by an earlier release opens with the current one:
//! migrations that rebuild indexes carry the existing rows along.

use crate::support::{event, page_order, walk_older};
use app::store::{SqliteStore, Store, TenantScope};
use std::path::Path;

/// The SQLite migrations numbered below `version`, copied into `into`.
fn migrations_before(version: u32, into: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let number: u32 = name[..4].parse().unwrap();
        if number < version {
            std::fs::copy(&path, into.join(&name)).unwrap();
        }
    }
}

#[tokio::test]
async fn a_sqlite_log_tagged_before_the_compact_indexes_pages_its_tags_words_and_actors_after_upgrading(
) {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("migrations");
    std::fs::create_dir(&old).unwrap();
    migrations_before(19, &old);
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(store.write_pool())
        .await
        .unwrap();

    // Today's append also counts each actor into the directory that
    // migration 0022 creates; it goes again before the upgrade, which
    // rebuilds it from the events.
    sqlx::query(
        "CREATE TABLE rollup_actor_names (tenant_id INTEGER, since INTEGER, actor_id TEXT, \
         actor_name TEXT, actor_email TEXT, n INTEGER, last_at INTEGER, \
         PRIMARY KEY (tenant_id, since, actor_id, actor_name, actor_email))",
    )
    .execute(store.write_pool())
    .await
    .unwrap();
    let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
    // Four to a minute, so pages end inside runs of equal times.
    let batch: Vec<_> = (0..12)
        .map(|i| event(i / 4, "license.hwid_reset", "alice"))
        .collect();
    store.append(tenant.id, &batch, None).await.unwrap();
    // Tags as the earlier release wrote them: no chain position.
    sqlx::query(
        "INSERT INTO event_notes (event_id, tenant_id, kind, body, author, created_at, \
         event_occurred_at) SELECT id, tenant_id, 'tag', 'checked', 'admin', 0, occurred_at \
         FROM events",
    )
    .execute(store.write_pool())
    .await
    .unwrap();

    sqlx::query("DROP TABLE rollup_actor_names")
        .execute(store.write_pool())
        .await
        .unwrap();

    store.migrate().await.unwrap();

    let expected = page_order(&batch);
    for query in ["tag:checked", "alice", "ali", "actor:alice@example.com"] {
        let walked = walk_older(&store, &TenantScope::tenant(tenant.id), query, 5).await;
        assert_eq!(walked, expected, "'{query}'");
    }
}
