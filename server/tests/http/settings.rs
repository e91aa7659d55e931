//! Retention and redaction settings: admins change them, each change is
//! logged with before and after, and a partner sees only their own tenant.

use crate::support::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_admins_retention_change_is_stored_and_logged_with_before_and_after() {
    let app = spawn_app().await;
    let form = json!({ "retention": { "Days": 90 }, "legal_hold": true, "redaction_words": ["gift_code"] });
    let (status, body) = app
        .call(
            &app.client,
            "tenants/update_settings",
            json!({ "tenant": "acme", "form": form }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, overview) = app.call(&app.client, "tenants/settings", json!({})).await;
    let acme = overview["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant"]["slug"] == "acme")
        .unwrap()
        .clone();
    assert_eq!(acme["retention"], json!({ "Days": 90 }));
    assert_eq!(acme["legal_hold"], true);
    assert_eq!(acme["redaction_words"], json!(["gift_code"]));

    let log = app.self_log().await;
    let changed = log
        .iter()
        .find(|e| e.action == "retention.changed")
        .unwrap();
    assert_eq!(
        changed.before,
        Some(json!({ "retention": "365 days (default)", "legal_hold": false }))
    );
    assert_eq!(
        changed.after,
        Some(json!({ "retention": "90 days", "legal_hold": true }))
    );
    assert_eq!(changed.actor.email.as_deref(), Some("admin@test.io"));
    assert!(log.iter().any(|e| e.action == "redaction.changed"));
}

#[tokio::test]
async fn a_retention_of_zero_days_is_refused_with_the_reason_and_nothing_changes() {
    let app = spawn_app().await;
    let form = json!({ "retention": { "Days": 0 }, "legal_hold": false, "redaction_words": [] });
    let (status, body) = app
        .call(
            &app.client,
            "tenants/update_settings",
            json!({ "tenant": "acme", "form": form }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("between 1 and"), "{body}");
    assert!(!app
        .self_log()
        .await
        .iter()
        .any(|e| e.action == "retention.changed"));
}

#[tokio::test]
async fn a_partner_reads_only_their_own_tenants_settings() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let (status, overview) = app.call(&partner, "tenants/settings", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let slugs: Vec<_> = overview["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"]["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(slugs, ["acme"]);
    assert_eq!(overview["can_edit"], false);
}
