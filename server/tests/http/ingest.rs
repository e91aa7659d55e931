//! `POST /api/v1/events`: what senders see.

use crate::support::{event, postgres_url, spawn_app, spawn_with, TestApp};
use app::{
    model::{EventFilter, PageRequest},
    store::TenantScope,
};
use serde_json::{json, Value};
use server::config::Limits;

/// Events stored for the key's tenant (the app also logs its own sign-ins).
async fn stored(app: &TestApp) -> usize {
    app.store
        .list_events(
            &TenantScope::all_tenants(),
            &EventFilter {
                tenant: Some("acme".into()),
                ..Default::default()
            },
            &PageRequest::first(500),
        )
        .await
        .unwrap()
        .events
        .len()
}

#[tokio::test]
async fn a_batch_stores_its_valid_events_and_names_each_invalid_one_by_index() {
    let app = spawn_app().await;
    let response = app
        .ingest(json!([
            event("license.created", "created"),
            { "action": "license.created", "actor": { "id": "u1" }, "outcome": "maybe" },
            event("custom.unknown_code", "unknown codes are kept"),
        ]))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["accepted"], 2);
    assert_eq!(body["rejected"], 1);
    assert_eq!(body["results"][0]["status"], "accepted");
    assert_eq!(body["results"][1]["status"], "rejected");
    assert_eq!(body["results"][1]["index"], 1);
    assert!(
        body["results"][1]["error"]
            .as_str()
            .unwrap()
            .contains("outcome"),
        "{body}"
    );
    let id = body["results"][2]["id"].as_str().unwrap();
    let kept = app
        .store
        .get_event(&TenantScope::all_tenants(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.action, "custom.unknown_code");
    assert_eq!(stored(&app).await, 2);
}

#[tokio::test]
async fn a_batch_with_no_valid_event_is_422_and_stores_nothing() {
    let app = spawn_app().await;
    let response = app
        .ingest(json!([{ "action": "", "actor": { "id": "u1" } }]))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body["results"][0]["error"]
        .as_str()
        .unwrap()
        .contains("action"));
    assert_eq!(stored(&app).await, 0);
}

#[tokio::test]
async fn requests_without_a_valid_api_key_are_401_with_a_clear_message() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/events", app.base);
    let none = app
        .client
        .post(&url)
        .json(&json!([event("a.b", "x")]))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    let body: Value = none.json().await.unwrap();
    assert_eq!(body["error"]["code"], "missing_api_key");
    // Change the last character to one it is not, so the forgery never equals the key.
    let (head, last) = app.key.split_at(app.key.len() - 1);
    let forged = format!("{head}{}", if last == "x" { "y" } else { "x" });
    let wrong = app
        .client
        .post(&url)
        .bearer_auth(forged)
        .json(&json!([event("a.b", "x")]))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key");
}

#[tokio::test]
async fn malformed_json_is_400_and_says_where() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/v1/events", app.base))
        .bearer_auth(&app.key)
        .body("[{\"action\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1"),
        "{body}"
    );
}

#[tokio::test]
async fn oversized_bodies_and_batches_are_413_not_500() {
    let app = spawn_with(
        crate::support::sqlite_url(),
        Limits {
            max_batch: 3,
            max_body_bytes: 2_048,
            ..Default::default()
        },
    )
    .await;
    let big = json!([event("a.b", &"x".repeat(4_000))]);
    let response = app.ingest(big).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "body_too_large");

    let many = json!([
        event("a.b", "1"),
        event("a.b", "2"),
        event("a.b", "3"),
        event("a.b", "4")
    ]);
    let response = app.ingest(many).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_events");
    assert_eq!(stored(&app).await, 0);
}

#[tokio::test]
async fn a_retried_request_with_the_same_idempotency_key_is_stored_once() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/events", app.base);
    let body = json!([event("balance.transferred", "moved 10 USD")]);
    let send = |body: Value| {
        app.client
            .post(&url)
            .bearer_auth(&app.key)
            .header("Idempotency-Key", "transfer-81")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    let first_body: Value = first.json().await.unwrap();
    let retry = send(body.clone()).await.unwrap();
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry_body: Value = retry.json().await.unwrap();
    assert_eq!(retry_body, first_body);
    assert_eq!(stored(&app).await, 1);

    let changed = send(json!([event("balance.transferred", "moved 99 USD")]))
        .await
        .unwrap();
    assert_eq!(changed.status(), 422);
    assert_eq!(stored(&app).await, 1);
}

#[tokio::test]
async fn an_event_naming_another_tenant_is_rejected_and_not_stored_there() {
    let app = spawn_app().await;
    let mut foreign = event("license.created", "sneaky");
    foreign["tenant"] = json!("globex");
    let response = app.ingest(json!([foreign])).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body["results"][0]["error"]
        .as_str()
        .unwrap()
        .contains("another tenant than the one this API key belongs to (acme)"));
}

#[tokio::test]
async fn ingest_works_the_same_on_postgres() {
    let app = spawn_with(postgres_url().await, Limits::default()).await;
    let response = app
        .ingest(json!([event("license.created", "on postgres"), { "action": "x" }]))
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["accepted"].as_u64(), body["rejected"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(stored(&app).await, 1);
    let (_, health) = app.get_json("/healthz").await;
    assert_eq!(health["database"], "postgres");
}

#[tokio::test]
async fn a_password_sent_in_before_and_after_is_stored_as_redacted() {
    let app = spawn_app().await;
    let mut changed = event("user.password.changed", "Alice changed her password");
    changed["before"] = json!({ "password": "correct horse", "email": "alice@acme.io" });
    changed["after"] = json!({ "password": "battery staple", "email": "alice@acme.io" });
    changed["metadata"] = json!({ "auth": "Bearer abcdefghijklmnopqrstuvwxyz" });
    let body: Value = app.ingest(json!([changed])).await.json().await.unwrap();
    let id = body["results"][0]["id"].as_str().unwrap();
    let stored = app
        .store
        .get_event(&TenantScope::all_tenants(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.before,
        Some(json!({ "password": "[redacted]", "email": "alice@acme.io" }))
    );
    assert_eq!(
        stored.after,
        Some(json!({ "password": "[redacted]", "email": "alice@acme.io" }))
    );
    assert_eq!(stored.metadata, Some(json!({ "auth": "[redacted]" })));
    let (_, html) = app.get(&format!("/events/{id}")).await;
    assert!(!html.contains("battery staple") && !html.contains("correct horse"));
}
