//! A 200 from ingest means the events are on disk: killing the process right
//! after the answer loses nothing.

use crate::support::event;
use app::store::{connect, TenantScope};
use serde_json::{json, Value};
use std::{
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

const BIN: &str = env!("CARGO_BIN_EXE_logbook");

fn logbook(data: &Path, addr: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .env("LOGBOOK_DATA_DIR", data)
        .env("LOGBOOK_ADDR", addr)
        .env("LOGBOOK_DEMO_DATA", "false")
        .env_remove("DATABASE_URL");
    command
}

fn free_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

#[tokio::test]
async fn an_acknowledged_event_survives_the_server_being_killed() {
    let data = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let ok = logbook(data.path(), &addr)
        .args(["create-tenant", "--slug", "acme"])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = logbook(data.path(), &addr)
        .args(["create-api-key", "--tenant", "acme"])
        .output()
        .unwrap();
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("lbk_"), "{key}");

    let mut server = logbook(data.path(), &addr)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = super::support::client().build().unwrap();
    let base = format!("http://{addr}");
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "server did not start");
    let response = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(&key)
        .json(&json!([event("balance.transferred", "moved 500 USD")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let id = body["results"][0]["id"].as_str().unwrap().to_string();

    server.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.wait().unwrap();

    let url = format!(
        "sqlite://{}?mode=rwc",
        data.path().join("logbook.db").display()
    );
    let store = connect(&url).await.unwrap();
    let kept = store
        .get_event(&TenantScope::all_tenants(), &id)
        .await
        .unwrap();
    assert_eq!(
        kept.map(|e| e.description),
        Some("moved 500 USD".to_string())
    );
}
