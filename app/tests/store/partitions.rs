//! PostgreSQL keeps events in partitions by the time they were received:
//! retention drops a whole expired partition (never one a cut does not
//! cover), pages open only the partitions their range can reach, and a
//! database from before partitions is copied across in batches that resume.

use crate::support::{event, postgres_admin_url, postgres_store};
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
async fn a_page_reads_only_the_partitions_its_range_can_reach() {
    let store = postgres_store().await;
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    let old = (Utc::now() - Duration::days(70)).timestamp_micros();
    append_received_at(&store, acme.id, &batch(3, "alice"), old)
        .await
        .unwrap();
    let made = partitions(&store).await;
    assert!(made.len() >= 3, "{made:?}");
    let filter = EventFilter::parse_query("").unwrap().or_default_range();
    let page = PageRequest::first(50);
    let scope = TenantScope::tenant(acme.id);
    let splits = app::store::raw::Splits::default();
    let select = app::store::raw::select_events::<sqlx::Postgres>(&scope, &filter, &page, &splits);
    let mut tx = store.pool().begin().await.unwrap();
    PgStore::enter_scope(&mut tx, &scope).await.unwrap();
    let explain = format!("EXPLAIN {}", select.text());
    let mut query = sqlx::query(&explain);
    for arg in select.args() {
        query = match arg {
            app::store::raw::Arg::Int(v) => query.bind(*v),
            app::store::raw::Arg::Text(v) => query.bind(v.clone()),
            other => panic!("unexpected argument {other:?}"),
        };
    }
    let plan: Vec<String> = query
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .iter()
        .map(|row| sqlx::Row::get::<String, _>(row, 0))
        .collect();
    let plan = plan.join("\n");
    // The default range is the last thirty days: seventy days back is out.
    let oldest = &made[0].0;
    assert!(!plan.contains(oldest.as_str()), "{oldest} in\n{plan}");
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
