//! Several servers on one PostgreSQL database: three release binaries take
//! ingest for the same tenants at once, and the log stays one log.

use crate::{
    live::read_until,
    processes::{self, cli, free_addr, wait_healthy, Servers, ADMIN, PASSWORD},
    receivers::HttpReceiver,
};
use app::store::{
    connect, raw::append_received_at, reason, PgStore, PublicKey, Store, TenantScope,
};
use serde_json::{json, Value};
use sqlx::Connection;
use std::{
    collections::{HashMap, HashSet},
    path::Path,
    process::{Command, Stdio},
    time::Duration,
};

/// A server of the three: every job runs often, so they all compete.
fn logbook(data: &Path, url: &str, addr: &str) -> Command {
    let mut command = processes::logbook(data, url, addr);
    command
        // Every server tries to sign moved heads every second.
        .env("LOGBOOK_INTEGRITY__CHECKPOINT_EVERY_SECS", "1")
        // Every server's alert worker polls the one outbox often.
        .env("LOGBOOK_ALERTS__ALLOW_PRIVATE_TARGETS", "true")
        .env("LOGBOOK_ALERTS__POLL_MS", "20")
        .env("LOGBOOK_ALERTS__RETRY_BASE_MS", "50")
        // And runs retention every second, keeping a day.
        .env("LOGBOOK_RETENTION__EVERY_SECS", "1")
        .env("LOGBOOK_RETENTION__DEFAULT_DAYS", "1");
    command
}

/// One client's requests through one server: single events and batches
/// of ten, each with an Idempotency-Key; the ids it was answered with.
async fn send(base: String, key: String, tag: String) -> Vec<String> {
    let client = crate::support::client().build().unwrap();
    let mut acked = Vec::new();
    for n in 0..12 {
        let size = if n % 3 == 0 { 10 } else { 1 };
        let batch: Vec<Value> = (0..size)
            .map(|i| crate::support::event("balance.transferred", &format!("{tag} #{n}.{i}")))
            .collect();
        let response = client
            .post(format!("{base}/api/v1/events"))
            .bearer_auth(&key)
            .header("Idempotency-Key", format!("{tag}-{n}"))
            .json(&batch)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{tag} #{n}");
        let body: Value = response.json().await.unwrap();
        for result in body["results"].as_array().unwrap() {
            acked.push(result["id"].as_str().unwrap().to_string());
        }
    }
    acked
}

/// Old events at the start of `slug`'s chain, received three days ago:
/// written as the store writes an append (chained, counted into the
/// rollups, the head moved), since no server can be asked to receive in
/// the past. Returns their ids.
async fn seed_old(url: &str, slug: &str, n: usize) -> Vec<String> {
    let store = PgStore::connect(url).await.unwrap();
    let tenant = store.tenant_by_slug(slug).await.unwrap().unwrap();
    let received = chrono::Utc::now() - chrono::Duration::days(3);
    let mut ids = ulid::Generator::new();
    let events: Vec<_> = (0..n)
        .map(|i| {
            let wire = crate::support::event("balance.transferred", &format!("old #{i}"));
            let id = ids.generate().unwrap().to_string();
            let rules = server::ingest::Rules::default();
            server::ingest::validate(
                serde_json::from_value(wire).unwrap(),
                slug,
                id,
                received,
                &rules,
            )
            .unwrap()
        })
        .collect();
    let ids = append_received_at(&store, tenant.id, &events, received.timestamp_micros())
        .await
        .unwrap();
    store.pool().close().await;
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_on_one_database_keep_every_chain_unforked_cut_and_alert_once_and_share_the_live_table(
) {
    let url = crate::support::postgres_url().await;
    let data = tempfile::tempdir().unwrap();
    // The servers share the signing and secrets keys (made here, once).
    let mut keys = HashMap::new();
    for slug in ["acme", "globex"] {
        cli(data.path(), &url, &["create-tenant", "--slug", slug]);
        keys.insert(
            slug,
            cli(data.path(), &url, &["create-api-key", "--tenant", slug]),
        );
    }
    // Each tenant's chain starts with events retention will remove.
    let mut old = Vec::new();
    for slug in ["acme", "globex"] {
        old.extend(seed_old(&url, slug, 30).await);
    }
    let addrs: Vec<String> = (0..3).map(|_| free_addr()).collect();
    // All three start at once on a database with no accounts yet.
    let servers = Servers(
        addrs
            .iter()
            .map(|addr| {
                logbook(data.path(), &url, addr)
                    .arg("serve")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect(),
    );
    let bases: Vec<String> = addrs.iter().map(|a| format!("http://{a}")).collect();
    let client = crate::support::client().build().unwrap();
    for base in &bases {
        wait_healthy(&client, base).await;
    }

    // A live table open on the first server.
    let signed_in = client
        .post(format!("{}/api/auth/sign_in", bases[0]))
        .form(&[("email", ADMIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200, "the admin made at start signs in");
    let session = crate::support::with_cookie(&crate::support::cookie_of(&signed_in));
    let mut live = session
        .get(format!("{}/api/live?tenant=globex", bases[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);

    // An alert on every acme event, to a receiver that fails its first
    // five requests and takes a moment over each.
    let hooks = HttpReceiver::failing(5, Duration::from_millis(5)).await;
    let call = |path: &str, body: Value| {
        let request = session.post(format!("{}/api/{path}", bases[0])).json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let hook = call(
        "alerts/destinations/save",
        json!({ "form": { "name": "hook", "tenant": null, "kind": "webhook",
                          "target": format!("{}/hook", hooks.base), "secret": null } }),
    )
    .await;
    call(
        "alerts/rules/save",
        json!({ "form": {
            "id": null, "name": "Every acme transfer", "tenant": "acme",
            "conditions": "action:balance.*", "threshold": null, "window_minutes": null,
            "group_by": null, "silence_minutes": null, "enabled": true,
            "destinations": [hook["id"]],
        } }),
    )
    .await;

    // Two clients per server and tenant, all at once.
    let mut clients = Vec::new();
    for (s, base) in bases.iter().enumerate() {
        for (slug, key) in &keys {
            for c in 0..2 {
                let tag = format!("{slug}-s{s}-c{c}");
                clients.push(tokio::spawn(send(base.clone(), key.clone(), tag)));
            }
        }
    }
    let mut acked = Vec::new();
    for client in clients {
        acked.extend(client.await.unwrap());
    }
    assert_eq!(acked.len(), 3 * 2 * 2 * (4 * 10 + 8));

    // The first server's live table shows what the third took in.
    let seen = read_until(&mut live, "globex-s2-c1 #11.0", Duration::from_secs(5)).await;
    assert!(
        seen.contains("globex-s2-c1 #11.0"),
        "live table saw: {seen:.300}"
    );

    // Each acme event alerted once, whichever server's worker sent it.
    let got = hooks.wait_for(2 * 3 * 48).await;
    // Let the checkpoint job tick on every server a few times, and any
    // second delivery arrive.
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let got_after = hooks.received();
    assert_eq!(got_after.len(), got.len(), "a delivery was sent twice");
    let deliveries: HashSet<String> = got_after
        .iter()
        .map(|r| r.header("X-Logbook-Delivery"))
        .collect();
    let alerted: HashSet<String> = got_after
        .iter()
        .map(|r| r.json()["event"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((deliveries.len(), alerted.len()), (2 * 3 * 48, 2 * 3 * 48));
    drop(servers);

    let store = connect(&url).await.unwrap();
    let all = TenantScope::all_tenants();
    for id in &acked {
        assert!(
            store.get_event(&all, id).await.unwrap().is_some(),
            "{id} lost"
        );
    }
    let key = PublicKey::from_base64(&cli(data.path(), &url, &["public-key"])).unwrap();
    for slug in ["acme", "globex"] {
        let tenant = store.tenant_by_slug(slug).await.unwrap().unwrap();
        let verified = store.verify_chain(tenant.id, &key).await.unwrap();
        let verified = verified.unwrap_or_else(|b| panic!("{slug}'s chain broke: {b:?}"));
        assert_eq!(
            verified.count(),
            2 * 3 * 48,
            "{slug}: every event once, one chain"
        );
        let checkpoints = store.checkpoints(tenant.id, None).await.unwrap();
        let mut signed: Vec<i64> = checkpoints
            .iter()
            .filter(|c| c.checkpoint.reason == reason::SCHEDULED)
            .map(|c| c.checkpoint.seq)
            .collect();
        assert!(!signed.is_empty(), "{slug}: the checkpoint job ran");
        let cuts: Vec<i64> = checkpoints
            .iter()
            .filter(|c| c.checkpoint.reason == reason::RETENTION)
            .map(|c| c.checkpoint.seq)
            .collect();
        assert_eq!(
            cuts,
            vec![30],
            "{slug}: retention cut once, after the old events"
        );
        let count = signed.len();
        signed.dedup();
        assert_eq!(
            signed.len(),
            count,
            "{slug}: a head signed twice: {checkpoints:?}"
        );
    }
    // One server ran the jobs throughout: each lease never changed hands.
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let leases: Vec<(String, i64)> =
        sqlx::query_as("SELECT job, fence FROM job_leases ORDER BY job")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        leases,
        vec![("checkpoints".to_string(), 1), ("retention".to_string(), 1)]
    );
}
