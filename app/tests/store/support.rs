//! Fresh databases for store tests: a temporary SQLite file and a new
//! PostgreSQL database per store. PostgreSQL missing is a failure, not a skip.

use app::{
    model::{Actor, ActorType, Outcome, Resource, Severity},
    store::{NewEvent, PgStore, SqliteStore, Store},
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use sqlx::{Connection, Executor, PgConnection};
use std::sync::Arc;

/// The server the test suite creates its databases on.
pub(crate) fn postgres_admin_url() -> String {
    std::env::var("LOGBOOK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub(crate) async fn sqlite_store() -> SqliteStore {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
    let store = SqliteStore::connect(&url).await.expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    store
}

pub(crate) async fn sqlite() -> Arc<dyn Store> {
    Arc::new(sqlite_store().await)
}

pub(crate) async fn postgres() -> Arc<dyn Store> {
    Arc::new(postgres_store().await)
}

pub(crate) async fn postgres_store() -> PgStore {
    let admin = postgres_admin_url();
    let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is required for the store tests ({admin}): {e}. Start it, or set LOGBOOK_TEST_POSTGRES.")
    });
    let name = format!(
        "logbook_test_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let (base, _) = admin.rsplit_once('/').expect("database URL has a path");
    let store = PgStore::connect(&format!("{base}/{name}"))
        .await
        .expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    store
}

/// Both backends, freshly migrated, SQLite first.
pub(crate) async fn backends() -> Vec<Arc<dyn Store>> {
    vec![sqlite().await, postgres().await]
}

pub(crate) fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// A valid event `minutes` after `base_time()`.
pub(crate) fn event(minutes: i64, action: &str, actor: &str) -> NewEvent {
    NewEvent {
        id: ulid::Ulid::new().to_string(),
        occurred_at: base_time() + Duration::minutes(minutes),
        actor: Actor {
            id: actor.to_string(),
            name: Some(format!("{actor} name")),
            email: Some(format!("{actor}@example.com")),
            kind: ActorType::Staff,
        },
        action: action.to_string(),
        category: action.split('.').next().unwrap_or(action).to_string(),
        event_type: action.rsplit('.').next().unwrap_or(action).to_string(),
        outcome: Outcome::Success,
        severity: Severity::Info,
        resource: Some(Resource {
            kind: "license".into(),
            id: format!("K-{minutes}"),
            name: None,
        }),
        targets: vec![],
        ip: Some("203.0.113.7".into()),
        user_agent: Some("test-agent".into()),
        request_id: Some(format!("req-{minutes}")),
        before: Some(json!({"plan": "basic"})),
        after: Some(json!({"plan": "pro", "seats": 3})),
        description: format!("{actor} did {action}"),
        metadata: Some(json!({"amount": 12.5})),
    }
}

/// The ids of every event `query` matches in `scope`, walked older page by
/// page of `limit` from the newest.
pub(crate) async fn walk_older(
    store: &dyn Store,
    scope: &app::store::TenantScope,
    query: &str,
    limit: u32,
) -> Vec<String> {
    let filter = app::model::EventFilter::parse_query(query).unwrap();
    let mut walked = Vec::new();
    let mut older = None;
    loop {
        let request = app::model::PageRequest {
            older_than: older,
            newer_than: None,
            limit,
        };
        let page = store.list_events(scope, &filter, &request).await.unwrap();
        walked.extend(page.events.iter().map(|e| e.id.clone()));
        match page.older {
            Some(next) => older = Some(next),
            None => return walked,
        }
    }
}

/// The ids of `batch`, appended in one call, in page order: newest first,
/// ties by chain position (the batch's order).
pub(crate) fn page_order(batch: &[NewEvent]) -> Vec<String> {
    let mut keyed: Vec<_> = batch
        .iter()
        .enumerate()
        .map(|(seq, e)| (e.occurred_at, seq, e.id.clone()))
        .collect();
    keyed.sort();
    keyed.reverse();
    keyed.into_iter().map(|(_, _, id)| id).collect()
}
