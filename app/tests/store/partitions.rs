//! PostgreSQL keeps events in partitions by the time they were received:
//! retention drops a whole expired partition (never one a cut does not
//! cover), pages and look-ups read the partitions as one log, and a
//! database from before partitions is copied across in batches that resume.

use crate::support::{event, postgres_admin_url, postgres_store, walk_older};
use app::{
    integrity::{run_retention, RetentionPolicy},
    model::{EventFilter, PageRequest, Retention},
    store::{
        raw::append_received_at, reason, Backend, IntegrityStore, NewEvent, PartitionStore,
        PgStore, Signer, Store, TenantScope,
    },
};
use chrono::{Duration, Utc};
use sqlx::{Connection, Executor, PgConnection};
use std::path::Path;

fn batch(n: i64, actor: &str) -> Vec<NewEvent> {
    (0..n).map(|i| event(i, "license.created", actor)).collect()
}

/// The partitions made so far: (name, lo, hi), oldest first.
async fn partitions(store: &PgStore) -> Vec<(String, i64, i64)> {
    let mut conn = store.owner_connection().await.unwrap();
    sqlx::query_as("SELECT name, lo, hi FROM event_partitions ORDER BY lo")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

fn thirty_days() -> RetentionPolicy {
    RetentionPolicy {
        default_days: 30,
        batch: 2,
    }
}

#[tokio::test]
async fn a_partition_holding_a_held_tenants_events_stays_until_the_hold_is_lifted() {
    let store = postgres_store().await;
    let old = (Utc::now() - Duration::days(40)).timestamp_micros();
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
    append_received_at(&store, acme.id, &batch(3, "alice"), old)
        .await
        .unwrap();
    append_received_at(&store, globex.id, &batch(4, "bob"), old)
        .await
        .unwrap();
    store
        .append(acme.id, &batch(2, "alice"), None)
        .await
        .unwrap();
    store
        .update_tenant_settings(globex.id, Retention::Default, true, &[])
        .await
        .unwrap();
    let old_partition = partitions(&store)
        .await
        .into_iter()
        .find(|(_, lo, hi)| *lo <= old && old < *hi)
        .expect("a partition for forty days ago");

    let (signer, _) = Signer::generate();
    let now = Utc::now().timestamp_micros();
    let purges = run_retention(&store, &signer, thirty_days(), now, None)
        .await
        .unwrap();
    let acme_purge = purges.iter().find(|p| p.tenant == "acme").unwrap();
    assert_eq!((acme_purge.deleted, acme_purge.cut_seq), (3, 3));
    assert!(purges.iter().all(|p| p.tenant != "globex"), "{purges:?}");
    // Kept for globex's held events; acme's went row by row.
    assert!(partitions(&store).await.contains(&old_partition));
    assert_eq!(store.chain_events(globex.id, 0, 10).await.unwrap().len(), 4);
    let acme_left: Vec<i64> = store
        .chain_events(acme.id, 0, 10)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(acme_left, [4, 5]);

    store
        .update_tenant_settings(globex.id, Retention::Default, false, &[])
        .await
        .unwrap();
    let purges = run_retention(&store, &signer, thirty_days(), now, None)
        .await
        .unwrap();
    let globex_purge = purges.iter().find(|p| p.tenant == "globex").unwrap();
    assert_eq!((globex_purge.deleted, globex_purge.cut_seq), (4, 4));
    assert!(!partitions(&store).await.contains(&old_partition));
    for tenant in [acme.id, globex.id] {
        store
            .verify_chain(tenant, &signer.public_key())
            .await
            .unwrap()
            .expect("what remains verifies from its cut");
    }
}

#[tokio::test]
async fn the_database_drops_no_partition_outside_retention_or_with_events_beyond_a_cut() {
    let store = postgres_store().await;
    let old = (Utc::now() - Duration::days(40)).timestamp_micros();
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    append_received_at(&store, acme.id, &batch(3, "alice"), old)
        .await
        .unwrap();
    let (name, _, _) = partitions(&store).await.remove(0);
    let mut tx = store.pool().begin().await.unwrap();
    let outside = sqlx::query("SELECT logbook_drop_events_partition($1)")
        .bind(&name)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(outside.to_string().contains("append-only"), "{outside}");
    drop(tx);
    // Inside the retention job's transaction, but no cut covers the events.
    let mut tx = store.pool().begin().await.unwrap();
    PgStore::guard_retention(&mut tx, true).await.unwrap();
    let beyond = sqlx::query("SELECT logbook_drop_events_partition($1)")
        .bind(&name)
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(
        beyond.to_string().contains("beyond its retention cut"),
        "{beyond}"
    );
    drop(tx);
    // And the application's role may not drop or empty one itself.
    let mut conn = store.pool().acquire().await.unwrap();
    for sql in [format!("DROP TABLE {name}"), format!("TRUNCATE {name}")] {
        let refused = conn.execute(sql.as_str()).await.unwrap_err();
        assert!(
            refused.to_string().contains("must be owner")
                || refused.to_string().contains("permission denied"),
            "{sql}: {refused}"
        );
    }
    assert_eq!(store.chain_events(acme.id, 0, 10).await.unwrap().len(), 3);
}

#[tokio::test]
async fn pages_and_look_ups_see_every_partition_as_one_log() {
    let store = postgres_store().await;
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    // Received seventy and forty days ago and now: three partitions, their
    // events' own times interleaved (minutes 0-2, 10-12, 5-7).
    let mut sent = Vec::new();
    for (days, start) in [(70, 0), (40, 10)] {
        let received = (Utc::now() - Duration::days(days)).timestamp_micros();
        let events: Vec<NewEvent> = (start..start + 3)
            .map(|m| event(m, "license.created", "alice"))
            .collect();
        let ids = append_received_at(&store, acme.id, &events, received)
            .await
            .unwrap();
        sent.extend(events.iter().map(|e| e.occurred_at).zip(ids));
    }
    let now: Vec<NewEvent> = (5..8)
        .map(|m| event(m, "license.created", "alice"))
        .collect();
    store.append(acme.id, &now, None).await.unwrap();
    sent.extend(now.iter().map(|e| (e.occurred_at, e.id.clone())));
    assert!(partitions(&store).await.len() >= 3);

    sent.sort();
    let newest_first: Vec<String> = sent.iter().rev().map(|(_, id)| id.clone()).collect();
    let scope = TenantScope::tenant(acme.id);
    let walked = walk_older(&store, &scope, "occurred:>=2000-01-01", 2).await;
    assert_eq!(walked, newest_first);
    for (_, id) in &sent {
        let found = store.get_event(&scope, id).await.unwrap();
        assert_eq!(found.map(|e| e.id).as_ref(), Some(id));
    }
}

/// The PostgreSQL migrations numbered below `version`, copied into `into`.
fn migrations_before(version: u32, into: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name[..4].parse::<u32>().unwrap() < version {
            std::fs::copy(&path, into.join(&name)).unwrap();
        }
    }
}

#[tokio::test]
async fn a_database_from_before_partitions_is_copied_in_batches_that_resume() {
    let admin = postgres_admin_url();
    let mut conn = PgConnection::connect(&admin).await.unwrap();
    let name = format!(
        "logbook_test_upgrade_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let dir = tempfile::tempdir().unwrap();
    migrations_before(27, dir.path());
    let store = PgStore::connect(&url).await.unwrap();
    let mut owner = store.owner_connection().await.unwrap();
    sqlx::migrate::Migrator::new(dir.path())
        .await
        .unwrap()
        .run(&mut owner)
        .await
        .unwrap();
    let (signer, _) = Signer::generate();
    let mut tenants = Vec::new();
    for slug in ["acme", "globex"] {
        let tenant = store.ensure_tenant(slug, slug).await.unwrap();
        store
            .append(tenant.id, &batch(5, slug), None)
            .await
            .unwrap();
        app::integrity::sign_head(&store, &signer, &tenant, reason::ON_DEMAND, None)
            .await
            .unwrap();
        tenants.push(tenant.id);
    }
    store.pool().close().await;

    let store = PgStore::connect(&url).await.unwrap();
    Store::migrate(&store).await.unwrap();
    assert_eq!(store.events_to_copy().await.unwrap(), 10);
    assert_eq!(store.copy_into_partitions(3).await.unwrap(), 3);
    store.pool().close().await;
    // A copy stopped after its first batch resumes in another process.
    let store = PgStore::connect(&url).await.unwrap();
    Store::migrate(&store).await.unwrap();
    assert_eq!(store.events_to_copy().await.unwrap(), 7);
    let mut copied = 0;
    loop {
        let n = store.copy_into_partitions(4).await.unwrap();
        if n == 0 {
            break;
        }
        copied += n;
    }
    assert_eq!(copied, 7);
    assert_eq!(store.events_to_copy().await.unwrap(), 0);
    let mut owner = store.owner_connection().await.unwrap();
    let (left,): (Option<String>,) =
        sqlx::query_as("SELECT to_regclass('events_unpartitioned')::text")
            .fetch_one(&mut owner)
            .await
            .unwrap();
    assert_eq!(left, None, "the old table is dropped");
    for &tenant in &tenants {
        let verified = store
            .verify_chain(tenant, &signer.public_key())
            .await
            .unwrap()
            .expect("the copied chain verifies");
        assert_eq!(verified.count(), 5);
    }
    let page = store
        .list_events(
            &TenantScope::all_tenants(),
            &EventFilter::default(),
            &PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(page.events.len(), 10);
    // And the chains carry on in the partitioned table.
    store
        .append(tenants[0], &batch(1, "carol"), None)
        .await
        .unwrap();
    assert_eq!(store.chain_head(tenants[0]).await.unwrap().0, 6);
}
