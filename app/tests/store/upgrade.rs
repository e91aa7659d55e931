//! A database written by an earlier release opens with the current one:
//! migrations that rebuild indexes carry the existing rows along.

use crate::support::{event, page_order, walk_older};
use app::store::{Signer, SqliteStore, Store, TenantScope};
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
async fn a_sqlite_log_from_before_the_compact_row_verifies_and_pages_its_tags_words_and_actors_after_upgrading(
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
    // And it numbers user agents in the dictionary of migration 0025; the
    // texts go back into the events before the upgrade.
    for sql in [
        "CREATE TABLE user_agents (id INTEGER PRIMARY KEY, digest BLOB UNIQUE, text TEXT)",
        "ALTER TABLE events ADD COLUMN user_agent_id INTEGER",
    ] {
        sqlx::query(sql).execute(store.write_pool()).await.unwrap();
    }
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

    // Hashes as the earlier release wrote them: 64 hex characters.
    for sql in [
        "DROP TABLE rollup_actor_names",
        "DROP TRIGGER events_no_update",
        "UPDATE events SET prev_hash = lower(hex(prev_hash)), hash = lower(hex(hash)), \
         user_agent = (SELECT u.text FROM user_agents u WHERE u.id = user_agent_id)",
        "ALTER TABLE events DROP COLUMN user_agent_id",
        "DROP TABLE user_agents",
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events \
         BEGIN SELECT RAISE(ABORT, 'append-only'); END",
    ] {
        sqlx::query(sql).execute(store.write_pool()).await.unwrap();
    }
    let head = store.chain_head(tenant.id).await.unwrap().1;

    store.migrate().await.unwrap();

    let key = Signer::generate().0.public_key();
    let verified = store.verify_chain(tenant.id, &key).await.unwrap();
    let verified = verified.expect("the upgraded chain verifies");
    assert_eq!(
        (verified.count(), verified.head_hash()),
        (12, head.as_str())
    );
    let stored: String = sqlx::query_scalar("SELECT typeof(hash) FROM events LIMIT 1")
        .fetch_one(store.read_pool())
        .await
        .unwrap();
    assert_eq!(stored, "blob");

    let expected = page_order(&batch);
    for query in ["tag:checked", "alice", "ali", "actor:alice@example.com"] {
        let walked = walk_older(&store, &TenantScope::tenant(tenant.id), query, 5).await;
        assert_eq!(walked, expected, "'{query}'");
    }

    // The upgrade numbered the user agent and gave it its digest, so a new
    // event naming it reuses its row.
    store
        .append(tenant.id, &[event(13, "license.hwid_reset", "bob")], None)
        .await
        .unwrap();
    let agents: Vec<(String, i64)> = sqlx::query_as(
        "SELECT u.text, (SELECT COUNT(*) FROM events e WHERE e.user_agent_id = u.id) \
         FROM user_agents u",
    )
    .fetch_all(store.read_pool())
    .await
    .unwrap();
    assert_eq!(agents, vec![("test-agent".to_string(), 13)]);
    let inline: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE user_agent IS NOT NULL")
            .fetch_one(store.read_pool())
            .await
            .unwrap();
    assert_eq!(inline, 0, "the texts left the events");
}
