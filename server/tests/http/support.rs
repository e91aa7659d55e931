//! `spawn_app()`: a server on a free port over a fresh database, with an API key.

use app::{
    auth::{hash_password, Sealer},
    guard::TargetPolicy,
    model::{Permissions, Role},
    store::{connect, NewAccount, NewApiKey, PublicKey, Signer, Store},
};
use server::{
    config::Limits,
    http::{bind, AppState},
    keys,
};
use sqlx::{Connection, Executor, PgConnection};
use std::{path::Path, sync::Arc};

pub(crate) struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    /// A key for tenant `acme`.
    pub key: String,
    /// Signed in as the admin.
    pub client: reqwest::Client,
    /// Verifies the checkpoints this server signs.
    pub public_key: PublicKey,
    /// Seals this server's stored secrets (its alert worker needs it).
    pub sealer: Sealer,
}

/// The password of every test account.
pub(crate) const PASSWORD: &str = "test-password-1";

/// `(email, role, tenant)` of the accounts every test app has.
pub(crate) const ACCOUNTS: &[(&str, Role, Option<&str>)] = &[
    ("admin@test.io", Role::Admin, None),
    ("auditor@test.io", Role::Auditor, None),
    ("partner@acme.io", Role::Partner, Some("acme")),
    ("partner@globex.io", Role::Partner, Some("globex")),
    ("staff@acme.io", Role::Staff, Some("acme")),
    ("customer@acme.io", Role::Customer, Some("acme")),
];

impl TestApp {
    /// GET `path` as the admin, returning the status and the body as text.
    pub(crate) async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        self.get_as(&self.client, path).await
    }

    /// GET `path` with `client`'s session, returning the status and the body.
    pub(crate) async fn get_as(
        &self,
        client: &reqwest::Client,
        path: &str,
    ) -> (reqwest::StatusCode, String) {
        let response = client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// GET `path`, returning the status and the body as JSON.
    pub(crate) async fn get_json(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        let (status, text) = self.get(path).await;
        (
            status,
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{path} is not JSON ({e}): {text}")),
        )
    }

    /// A client that follows no redirects and carries no session.
    pub(crate) fn anonymous(&self) -> reqwest::Client {
        client().build().unwrap()
    }

    /// Signs in and returns the session cookie (`name=value`).
    pub(crate) async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.anonymous()
            .post(format!("{}/api/auth/sign_in", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap()
    }

    /// A client signed in as `email` (no redirects followed).
    pub(crate) async fn session(&self, email: &str) -> reqwest::Client {
        let response = self.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), 200, "sign-in as {email} failed");
        with_cookie(&cookie_of(&response))
    }

    /// POSTs JSON to a server function.
    pub(crate) async fn call(
        &self,
        client: &reqwest::Client,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let response = client
            .post(format!("{}/api/{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// Logbook's own log, newest first, as the operator sees it.
    pub(crate) async fn self_log(&self) -> Vec<app::model::Event> {
        let tenant = self.store.tenant_by_slug("logbook").await.unwrap().unwrap();
        self.store
            .list_events(
                &app::store::TenantScope::tenant(tenant.id),
                &Default::default(),
                &app::model::PageRequest::first(500),
            )
            .await
            .unwrap()
            .events
    }

    /// Stores one event (wire format) for any tenant, as its own ingest
    /// would, without that tenant's API key; returns its id.
    pub(crate) async fn append_to(&self, slug: &str, wire: serde_json::Value) -> String {
        let tenant = self.store.tenant_by_slug(slug).await.unwrap().unwrap();
        let id = ulid::Ulid::new().to_string();
        let event = server::ingest::validate(
            serde_json::from_value(wire).unwrap(),
            slug,
            id.clone(),
            chrono::Utc::now(),
            &Default::default(),
        )
        .unwrap();
        self.store.append(tenant.id, &[event], None).await.unwrap();
        id
    }

    /// Ingests one event (wire format) with the `acme` key; returns its id.
    pub(crate) async fn ingest_one(&self, wire: serde_json::Value) -> String {
        let body: serde_json::Value = self
            .ingest(serde_json::Value::Array(vec![wire]))
            .await
            .json()
            .await
            .unwrap();
        body["results"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("not stored: {body}"))
            .to_string()
    }

    /// `GET path_and_query` with the `acme` key and no session.
    pub(crate) async fn get_with_key(&self, path_and_query: &str) -> reqwest::Response {
        self.anonymous()
            .get(format!("{}{path_and_query}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn ingest(&self, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/events", self.base))
            .bearer_auth(&self.key)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(sqlite_url(), Limits::default()).await
}

/// The suite's alert receivers listen on loopback, so its servers allow
/// private destinations, as an on-premise operator would.
pub(crate) async fn spawn_with(url: String, limits: Limits) -> TestApp {
    spawn_configured(url, limits, |state| state).await
}

/// A server as deployed by default: destinations on internal addresses refused.
pub(crate) async fn spawn_strict() -> TestApp {
    spawn_configured(sqlite_url(), Limits::default(), |state| {
        state.with_targets(TargetPolicy::default())
    })
    .await
}

/// A server on SQLite whose state `configure` adjusts before it starts.
pub(crate) async fn spawn_configured(
    url: String,
    limits: Limits,
    configure: impl FnOnce(AppState) -> AppState,
) -> TestApp {
    let store = connect(&url).await.expect("open database");
    store.migrate().await.expect("migrate");
    let acme = store.ensure_tenant("acme", "Acme Keys").await.unwrap();
    let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
    let hash = hash_password(PASSWORD);
    for (email, role, tenant) in ACCOUNTS {
        let tenant_id = tenant.map(|t| if t == "acme" { acme.id } else { globex.id });
        store
            .create_account(&NewAccount {
                email: email.to_string(),
                name: email.split('@').next().unwrap().to_string(),
                role: *role,
                tenant_id,
                permissions: Permissions::new(role.ceiling().iter().copied()),
                password_hash: hash.clone(),
                created_by: None,
            })
            .await
            .unwrap();
    }
    let key = keys::generate();
    store
        .insert_api_key(&NewApiKey {
            tenant_id: acme.id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: "test".into(),
            created_by: None,
            scopes: app::model::KeyScopes::ALL,
        })
        .await
        .unwrap();
    let (signer, _) = Signer::generate();
    let public_key = signer.public_key();
    let state = AppState::new(store.clone(), Path::new("target/site"), limits)
        .with_signer(Arc::new(signer))
        .with_targets(TargetPolicy {
            allow_private: true,
        });
    let sealer = Sealer::generate().0;
    let state = configure(state.with_sealer(sealer.clone()));
    let addr = bind(state, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
        .spawn();
    let mut app = TestApp {
        base: format!("http://{addr}"),
        store,
        key: key.plaintext,
        client: client().build().unwrap(),
        public_key,
        sealer,
    };
    app.client = app.session("admin@test.io").await;
    app
}

/// The `name=value` of the session cookie a response sets.
pub(crate) fn cookie_of(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("logbook_session="))
        .expect("a session cookie");
    set.split(';').next().unwrap().to_string()
}

/// A client sending this cookie with every request (no redirects followed).
pub(crate) fn with_cookie(cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    client().default_headers(headers).build().unwrap()
}

/// Every test client: no redirects followed, and a response that never comes
/// fails the test within a minute instead of hanging the suite.
pub(crate) fn client() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
}

pub(crate) fn sqlite_url() -> String {
    let dir = tempfile::tempdir().unwrap().keep();
    format!("sqlite://{}?mode=rwc", dir.join("http.db").display())
}

/// A new, empty PostgreSQL database; its absence fails the test.
pub(crate) async fn postgres_url() -> String {
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
pub(crate) fn event(action: &str, description: &str) -> serde_json::Value {
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
