//! No secret sent to the ingest API reaches the database, on either backend;
//! ordinary values next to them are stored as sent.

use crate::{
    leak_corpus::{ordinary, shapes},
    support::{event, postgres_url, spawn_with, sqlite_url, TestApp},
};
use app::model::Retention;
use server::config::Limits;
use sqlx::{Connection, PgConnection};

/// Sends every shape, each in its own event, spread over before, after and
/// metadata, next to the ordinary values. Returns the markers that must vanish.
async fn ingest_corpus(app: &TestApp) -> Vec<String> {
    let corpus = shapes();
    assert!(corpus.len() >= 100, "only {} shapes", corpus.len());
    let events: Vec<_> = corpus
        .iter()
        .enumerate()
        .map(|(i, shape)| {
            let mut e = event("settings.changed", "leak corpus");
            let field = ["before", "after", "metadata"][i % 3];
            let mut value = ordinary();
            for (k, v) in shape.fragment.as_object().unwrap() {
                value[k] = v.clone();
            }
            e[field] = value;
            e
        })
        .collect();
    let response = app.ingest(serde_json::Value::Array(events)).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["accepted"], corpus.len(), "{body}");
    corpus.into_iter().map(|s| s.secret).collect()
}

/// Every marker absent, every ordinary value present.
fn assert_no_leaks(stored: &str, secrets: &[String]) {
    let leaked: Vec<_> = secrets
        .iter()
        .filter(|s| stored.contains(s.as_str()))
        .collect();
    assert!(leaked.is_empty(), "stored in the database: {leaked:?}");
    for kept in ordinary().as_object().unwrap().values() {
        let kept = kept.to_string();
        let kept = kept.trim_matches(|c| c == '"' || c == '[' || c == ']');
        for part in kept.split("\",\"") {
            assert!(stored.contains(part), "ordinary value lost: {part}");
        }
    }
}

#[tokio::test]
async fn no_secret_of_the_corpus_reaches_the_sqlite_file_and_ordinary_values_stay() {
    let url = sqlite_url();
    let app = spawn_with(url.clone(), Limits::default()).await;
    let secrets = ingest_corpus(&app).await;
    // The raw bytes of the database and its write-ahead log, not a query
    // through Logbook: what an attacker with the file would read.
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap();
    let mut stored = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(format!("{path}{suffix}")) {
            stored.extend(bytes);
        }
    }
    assert_no_leaks(&String::from_utf8_lossy(&stored), &secrets);
}

#[tokio::test]
async fn no_secret_of_the_corpus_reaches_postgres_and_ordinary_values_stay() {
    let url = postgres_url().await;
    let app = spawn_with(url.clone(), Limits::default()).await;
    let secrets = ingest_corpus(&app).await;
    let mut owner = PgConnection::connect(&url).await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT string_agg(e::text, E'\\n') FROM events e")
        .fetch_one(&mut owner)
        .await
        .unwrap();
    assert_no_leaks(&stored, &secrets);
}

#[tokio::test]
async fn a_tenants_own_redaction_words_apply_from_its_next_ingest() {
    let url = sqlite_url();
    let app = spawn_with(url, Limits::default()).await;
    let acme = app.store.tenant_by_slug("acme").await.unwrap().unwrap();
    let mut sent = event("voucher.issued", "gift code");
    sent["after"] = serde_json::json!({ "gift_code": "GC-1111", "amount": "25.00" });
    app.ingest(sent.clone()).await;
    app.store
        .update_tenant_settings(acme.id, Retention::Default, false, &["Gift-Code".into()])
        .await
        .unwrap();
    app.ingest(sent).await;

    let page = app
        .store
        .list_events(
            &app::store::TenantScope::tenant(acme.id),
            &Default::default(),
            &app::model::PageRequest {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let codes: Vec<_> = page
        .events
        .iter()
        .map(|e| {
            e.after.as_ref().unwrap()["gift_code"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // Newest first: the second ingest came after the word was added.
    assert_eq!(codes, ["[redacted]", "GC-1111"]);
    assert_eq!(page.events[0].after.as_ref().unwrap()["amount"], "25.00");
}
