//! `spawn_app()`: a server on a free port over a fresh database, with an API key.

use app::store::{connect, NewApiKey, Store};
use server::{
    config::Limits,
    http::{bind, AppState},
    keys,
};
use sqlx::{Connection, Executor, PgConnection};
use std::{path::Path, sync::Arc};

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    /// A key for tenant `acme`.
    pub key: String,
    pub client: reqwest::Client,
}

impl TestApp {
    /// GET `path`, returning the status and the body as text.
    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// GET `path`, returning the status and the body as JSON.
    pub async fn get_json(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let (status, text) = self.get(path).await;
        (
            status,
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{path} is not JSON ({e}): {text}")),
        )
    }

    pub async fn ingest(&self, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/events", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(sqlite_url(), Limits::default()).await
}

pub async fn spawn_with(url: String, limits: Limits) -> TestApp {
    let store = connect(&url).await.expect("open database");
    store.migrate().await.expect("migrate");
    let acme = store.ensure_tenant("acme", "Acme Keys").await.unwrap();
    store.ensure_tenant("globex", "Globex").await.unwrap();
    let key = keys::generate();
    store
        .insert_api_key(&NewApiKey {
            tenant_id: acme.id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: "test".into(),
        })
        .await
        .unwrap();
    let state = AppState::new(store.clone(), Path::new("target/site"), limits);
    let addr = bind(state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
        .spawn();
    TestApp {
        base: format!("http://{addr}"),
        store,
        key: key.plaintext,
        client: reqwest::Client::new(),
    }
}

pub fn sqlite_url() -> String {
    let dir = tempfile::tempdir().unwrap().keep();
    format!("sqlite://{}?mode=rwc", dir.join("http.db").display())
}

/// A new, empty PostgreSQL database; its absence fails the test.
pub async fn postgres_url() -> String {
    let admin = std::env::var("LOGBOOK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut conn = PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required for the HTTP tests ({admin}): {e}"));
    let name = format!(
        "logbook_test_{}",
        ulid::Ulid::new().to_string().to_lowercase()
    );
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// A minimal valid event.
pub fn event(action: &str, description: &str) -> serde_json::Value {
    serde_json::json!({
        "action": action,
        "actor": { "id": "u-7", "name": "Alice Novak", "email": "alice@acme.io", "type": "staff" },
        "resource": { "type": "license", "id": "KEY-0042", "name": "Pro licence" },
        "ip": "198.51.100.4",
        "before": { "hwid": "9F2A-11C0" },
        "after": { "hwid": "77BE-0C1D" },
        "description": description,
    })
}
