//! Server-rendered pages, server functions, health and the API document.

use crate::support::{event, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn the_log_page_is_rendered_on_the_server_with_ingested_events() {
    let app = spawn_app().await;
    app.ingest(json!([event(
        "license.hwid_reset",
        "Alice reset the HWID of KEY-0042"
    )]))
    .await;
    let (_, html) = app.get("/").await;
    assert!(html.contains("Alice reset the HWID of KEY-0042"), "{html}");
    assert!(html.contains("license.hwid_reset"));
    assert!(html.contains("/pkg/logbook.js"), "hydration script missing");
}

#[tokio::test]
async fn the_details_page_shows_before_and_after_side_by_side() {
    let app = spawn_app().await;
    let id = app.ingest_one(event("license.hwid_reset", "reset")).await;
    let (_, html) = app.get(&format!("/events/{id}")).await;
    assert!(
        html.contains("9F2A-11C0") && html.contains("77BE-0C1D"),
        "{html}"
    );
    assert!(html.contains("class=\"changed\""), "{html}");
}

#[tokio::test]
async fn the_list_server_function_pages_newest_first() {
    let app = spawn_app().await;
    let batch: Vec<Value> = (0..3)
        .map(|i| {
            let mut e = event("user.login", &format!("login {i}"));
            e["occurred_at"] = json!(format!("2026-05-0{}T10:00:00Z", i + 1));
            e
        })
        .collect();
    app.ingest(Value::Array(batch)).await;
    let response = app
        .client
        .post(format!("{}/api/events/list", app.base))
        .json(&json!({ "filter": { "tenant": "acme" }, "page": { "older_than": null, "newer_than": null, "limit": 2 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    let descriptions: Vec<&str> = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, vec!["login 2", "login 1"]);
    assert!(page["older"].is_object());
}

#[tokio::test]
async fn health_answers_ok_when_the_database_is_reachable() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "status": "ok", "database": "sqlite" }));
}

#[tokio::test]
async fn the_openapi_document_describes_the_ingest_endpoint() {
    let app = spawn_app().await;
    let (_, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/events"]["post"]["responses"]["413"].is_object());
}

#[tokio::test]
async fn the_verify_server_function_reports_an_intact_chain_and_refuses_unknown_tenants() {
    let app = spawn_app().await;
    app.ingest(json!([
        event("license.created", "one"),
        event("license.created", "two")
    ]))
    .await;
    let verify = |tenant: &str| {
        app.client
            .post(format!("{}/api/chains/verify", app.base))
            .json(&json!({ "tenant": tenant }))
            .send()
    };
    let report: Value = verify("acme").await.unwrap().json().await.unwrap();
    assert_eq!(report["events"], 2);
    assert_eq!(report["problem"], Value::Null);
    assert_eq!(report["head_hash"].as_str().unwrap().len(), 64);
    let missing = verify("nobody").await.unwrap();
    assert!(!missing.status().is_success());
}
