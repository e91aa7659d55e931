//! Downloads over HTTP: scoped, permission-checked, named, and logged.

use crate::support::{event, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_partner_exports_their_tenant_only_however_the_link_is_edited() {
    let app = spawn_app().await;
    app.ingest(json!([
        event("license.created", "acme one"),
        event("license.created", "acme two")
    ]))
    .await;
    let mut theirs = event("license.created", "globex secret");
    theirs["occurred_at"] = json!("2026-01-01T00:00:00Z");
    app.append_to("globex", theirs).await;
    let partner = app.session("partner@acme.io").await;
    for link in ["/api/exports/ndjson", "/api/exports/ndjson?tenant=globex"] {
        let response = partner
            .get(format!("{}{link}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        assert!(!body.contains("globex secret"), "{link}: {body}");
    }
    let mine = app.get_as(&partner, "/api/exports/ndjson").await.1;
    assert_eq!(mine.lines().count(), 2);
}

#[tokio::test]
async fn an_export_is_a_named_attachment_and_is_recorded_with_its_row_count() {
    let app = spawn_app().await;
    app.ingest(json!([
        event("license.created", "one"),
        event("license.deleted", "two")
    ]))
    .await;
    let response = app
        .client
        .get(format!(
            "{}/api/exports/csv?tenant=acme&action=license.*&job=abc",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"logbook-acme-action-license.x-start_now.csv\""
    );
    let body = response.text().await.unwrap();
    assert_eq!(body.lines().count(), 3, "heading and two rows: {body}");
    // The record is written once the stream ends.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (status, progress) = app
        .call(&app.client, "exports/progress", json!({ "job": "abc" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(progress, json!({ "rows": 2, "state": "Done" }));
    let log = app.self_log().await;
    let record = log
        .iter()
        .find(|e| e.action == "log.exported")
        .expect("export recorded");
    let meta = record.metadata.as_ref().unwrap();
    assert_eq!(meta["rows"], 2);
    assert_eq!(meta["format"], "csv");
    assert_eq!(meta["completed"], true);
    assert_eq!(meta["filter"], "tenant:acme action:license.*");
    assert_eq!(record.actor.email.as_deref(), Some("admin@test.io"));
}

#[tokio::test]
async fn exports_refuse_anonymous_callers_staff_and_bad_formats_or_filters() {
    let app = spawn_app().await;
    let url = format!("{}/api/exports/csv", app.base);
    assert_eq!(
        app.anonymous().get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let staff = app.session("staff@acme.io").await;
    assert_eq!(
        staff.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert!(app
        .self_log()
        .await
        .iter()
        .any(|e| e.action == "access.denied" && e.actor.email.as_deref() == Some("staff@acme.io")));
    let bad: Value = app
        .client
        .get(format!("{}/api/exports/pdf", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(bad["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a known export format"));
    let status = app
        .client
        .get(format!("{url}?outcome=maybe"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn automation_exports_with_an_api_key_read_that_keys_tenant_only() {
    let app = spawn_app().await;
    app.ingest(json!([event("user.login", "acme login")])).await;
    let response = app
        .get_with_key("/api/v1/events/export?format=json&tenant=globex")
        .await;
    assert_eq!(response.status(), 200);
    let rows: Vec<Value> = response.json().await.unwrap();
    assert!(rows.is_empty(), "{rows:?}");
    let rows: Vec<Value> = app
        .get_with_key("/api/v1/events/export?format=json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["description"], "acme login");
    let unauthorised = app
        .anonymous()
        .get(format!("{}/api/v1/events/export", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), StatusCode::UNAUTHORIZED);
}

/// Three events of acme; a filter on `license.created` leaves out the middle one.
async fn two_keys_and_a_deletion_between(app: &crate::support::TestApp) {
    app.ingest(json!([
        event("license.created", "first key"),
        event("license.deleted", "left out of the export"),
        event("license.created", "second key"),
    ]))
    .await;
}

#[tokio::test]
async fn an_ndjson_export_with_its_proof_verifies_offline_until_one_byte_changes() {
    let app = spawn_app().await;
    two_keys_and_a_deletion_between(&app).await;
    let response = app
        .client
        .get(format!(
            "{}/api/exports/ndjson?tenant=acme&action=license.created&proof=1",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let file = response.text().await.unwrap();

    let report = app::integrity::verify_file(file.as_bytes(), &app.public_key).unwrap();
    assert_eq!(
        (report.tenant.as_str(), report.events, report.omitted),
        ("acme", 2, 1)
    );
    assert_eq!(report.checkpoint_seq, 3);

    let changed = file.replacen("second key", "second kez", 1);
    let error = app::integrity::verify_file(changed.as_bytes(), &app.public_key).unwrap_err();
    assert!(error.to_string().contains("was changed"), "{error}");
    // The same file checked against another deployment's key proves nothing.
    let (other, _) = app::store::Signer::generate();
    assert!(app::integrity::verify_file(file.as_bytes(), &other.public_key()).is_err());
}

#[tokio::test]
async fn a_json_export_with_its_proof_is_still_one_json_array_and_verifies_offline() {
    let app = spawn_app().await;
    two_keys_and_a_deletion_between(&app).await;
    let file = app
        .client
        .get(format!(
            "{}/api/exports/json?tenant=acme&action=license.created&proof=1",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // A JSON reader sees the events and, told apart by their `proof` key, the proof.
    let items: Vec<serde_json::Value> = serde_json::from_str(&file).unwrap();
    let events = items.iter().filter(|i| i.get("proof").is_none()).count();
    assert_eq!(events, 2);
    assert!(items.iter().any(|i| i["proof"] == "checkpoint"));

    let report = app::integrity::verify_file(file.as_bytes(), &app.public_key).unwrap();
    assert_eq!((report.events, report.omitted), (2, 1));
    let changed = file.replacen("first key", "first kez", 1);
    let error = app::integrity::verify_file(changed.as_bytes(), &app.public_key).unwrap_err();
    assert!(error.to_string().contains("was changed"), "{error}");
}

#[tokio::test]
async fn a_proof_is_refused_for_csv_and_for_a_tenant_the_caller_cannot_see() {
    let app = spawn_app().await;
    app.ingest(json!([event("license.created", "one")])).await;
    let csv = app
        .client
        .get(format!("{}/api/exports/csv?tenant=acme&proof=1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::BAD_REQUEST);
    let partner = app.session("partner@acme.io").await;
    let theirs = partner
        .get(format!(
            "{}/api/exports/ndjson?tenant=globex&proof=1",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_filter_parameter_given_twice_is_refused_rather_than_one_silently_dropped() {
    let app = spawn_app().await;
    app.ingest(json!([event("license.created", "only key")]))
        .await;
    let response = app
        .get_with_key("/api/v1/events/export?format=json&ip=10.0.0.1&ip=10.0.0.2")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("'ip' is given twice"), "{message}");
    let response = app
        .client
        .get(format!("{}/api/exports/csv?actor=a&actor=b", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_proof_asked_for_with_an_unknown_value_is_refused_not_silently_left_out() {
    let app = spawn_app().await;
    let response = app
        .get_with_key("/api/v1/events/export?format=ndjson&proof=yes")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
