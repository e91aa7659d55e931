//! A 200 from ingest means the events are on disk: killing the process right
//! after the answer loses nothing, also while many requests share each
//! commit (group commit).

use crate::support::event;
use app::store::{connect, Signer, TenantScope};
use serde_json::{json, Value};
use std::{
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
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

/// A server on a fresh data directory with tenant `acme`: the process, its
/// base URL and an ingest key.
async fn started(data: &Path) -> (Child, String, String) {
    let addr = free_addr();
    let ok = logbook(data, &addr)
        .args(["create-tenant", "--slug", "acme"])
        .status()
        .unwrap();
    assert!(ok.success());
    let out = logbook(data, &addr)
        .args(["create-api-key", "--tenant", "acme"])
        .output()
        .unwrap();
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("lbk_"), "{key}");
    let mut server = logbook(data, &addr)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = super::support::client().build().unwrap();
    let base = format!("http://{addr}");
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return (server, base, key);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = server.kill();
    let _ = server.wait();
    panic!("server did not start");
}

fn database_url(data: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data.join("logbook.db").display())
}

#[tokio::test]
async fn an_acknowledged_event_survives_the_server_being_killed() {
    let data = tempfile::tempdir().unwrap();
    let (mut server, base, key) = started(data.path()).await;
    let client = super::support::client().build().unwrap();
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

    let store = connect(&database_url(data.path())).await.unwrap();
    let kept = store
        .get_event(&TenantScope::all_tenants(), &id)
        .await
        .unwrap();
    assert_eq!(
        kept.map(|e| e.description),
        Some("moved 500 USD".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_acknowledged_while_commits_are_shared_survives_a_kill_mid_load() {
    let data = tempfile::tempdir().unwrap();
    let (mut server, base, key) = started(data.path()).await;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    // Sixteen clients send single events as fast as they are answered, every
    // other one with an Idempotency-Key; the server dies under them.
    let clients: Vec<_> = (0..16)
        .map(|c| {
            let (base, key, acked) = (base.clone(), key.clone(), acked.clone());
            tokio::spawn(async move {
                let client = super::support::client().build().unwrap();
                for n in 0.. {
                    let mut request = client
                        .post(format!("{base}/api/v1/events"))
                        .bearer_auth(&key)
                        .json(&event("balance.transferred", &format!("client {c} #{n}")));
                    if c % 2 == 0 {
                        request = request.header("Idempotency-Key", format!("k-{c}-{n}"));
                    }
                    let Ok(response) = request.send().await else {
                        return;
                    };
                    if response.status() != 200 {
                        return;
                    }
                    let Ok(body) = response.json::<Value>().await else {
                        return;
                    };
                    let id = body["results"][0]["id"].as_str().unwrap().to_string();
                    acked.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 400 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill().unwrap(); // SIGKILL, with requests in flight
    server.wait().unwrap();
    for client in clients {
        client.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();

    // The database opens as it is (no repair), and holds every acknowledged
    // event; the chain is whole.
    let store = connect(&database_url(data.path())).await.unwrap();
    let all = TenantScope::all_tenants();
    for id in &acked {
        assert!(
            store.get_event(&all, id).await.unwrap().is_some(),
            "acknowledged event {id} was lost ({} acknowledged)",
            acked.len()
        );
    }
    let acme = store.tenant_by_slug("acme").await.unwrap().unwrap();
    let key = Signer::generate().0.public_key();
    let chain = store.verify_chain(acme.id, &key).await.unwrap();
    let verified = chain.unwrap_or_else(|broken| panic!("chain broken: {broken:?}"));
    assert!(verified.count() >= acked.len() as i64);
}
