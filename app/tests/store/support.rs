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
