//! Viewer tokens over HTTP: who may ask for one, what it lets a framed page
//! show, who may frame it, and what ends it.

use crate::support::{event, spawn_app, TestApp};
use app::model::{KeyScope, KeyScopes};
use serde_json::{json, Value};

async fn issue(app: &TestApp, key: &str, body: Value) -> (u16, Value) {
    let response = app
        .anonymous()
        .post(format!("{}/api/v1/viewer-tokens", app.base))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn key_with(app: &TestApp, scopes: KeyScopes) -> String {
    let acme = app.store.tenant_by_slug("acme").await.unwrap().unwrap();
    let key = app::auth::keys::generate();
    app.store
        .insert_api_key(&app::store::NewApiKey {
            tenant_id: acme.id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: "portal".into(),
            created_by: None,
            scopes,
        })
        .await
        .unwrap();
    key.plaintext
}

#[tokio::test]
async fn a_read_key_gets_a_short_lived_token_and_the_issue_is_in_the_own_log() {
    let app = spawn_app().await;
    let (status, body) = issue(&app, &app.key, json!({ "actor": "u-7", "user": "u-7" })).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    assert!(token.starts_with("lbv_"));
    assert_eq!(body["url"], format!("/embed?token={token}"));
    let expires: chrono::DateTime<chrono::Utc> =
        body["expires_at"].as_str().unwrap().parse().unwrap();
    let left = expires - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(14) && left <= chrono::Duration::minutes(15));
    let issued = app
        .self_log()
        .await
        .into_iter()
        .find(|e| e.action == "viewer_token.issued")
        .expect("recorded");
    assert!(issued.actor.id.starts_with("api_key:"));
    assert_eq!(issued.metadata.as_ref().unwrap()["user"], "u-7");
}

#[tokio::test]
async fn a_token_request_beyond_the_keys_scopes_or_malformed_is_refused_with_why() {
    let app = spawn_app().await;
    let ingest_only = key_with(&app, KeyScopes::INGEST).await;
    let (status, body) = issue(&app, &ingest_only, json!({})).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'read' scope"));
    let reader = key_with(&app, KeyScopes::default().with(KeyScope::Read)).await;
    let (status, body) = issue(&app, &reader, json!({ "export": true })).await;
    assert_eq!(status, 403, "{body}");
    for (body, says) in [
        (json!({ "filter": "outcome:maybe" }), "filter:"),
        (json!({ "actor": " " }), "actor is 1 to 256"),
        (json!({ "expires_in": 0 }), "expires_in"),
        (json!({ "expires_in": 14_401 }), "expires_in"),
        (json!({ "tenant": "globex" }), "unknown field"),
        (
            json!({ "resource": { "type": "license" } }),
            "missing field",
        ),
    ] {
        let (status, answer) = issue(&app, &reader, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(says),
            "{body}: {answer}"
        );
    }
}

#[tokio::test]
async fn only_the_tenants_listed_origins_may_frame_the_viewer_and_a_forged_token_frames_nowhere() {
    let app = spawn_app().await;
    let acme = app.store.tenant_by_slug("acme").await.unwrap().unwrap();
    app.store
        .set_embed_origins(acme.id, &["https://portal.acme.io".to_string()])
        .await
        .unwrap();
    let (_, body) = issue(&app, &app.key, json!({})).await;
    let url = body["url"].as_str().unwrap();
    let page = app
        .anonymous()
        .get(format!("{}{url}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("frame-ancestors 'self' https://portal.acme.io;"),
        "{csp}"
    );
    assert!(page.headers().get("x-frame-options").is_none());
    let forged = app
        .anonymous()
        .get(format!("{}/embed?token=lbv_AAAA", app.base))
        .send()
        .await
        .unwrap();
    let csp = forged.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(forged.headers()["x-frame-options"], "DENY");
}

#[tokio::test]
async fn a_token_shows_its_actors_events_only_and_ends_when_its_key_is_revoked() {
    let app = spawn_app().await;
    let mut other = event("license.created", "someone else's");
    other["actor"]["id"] = json!("u-8");
    app.ingest(json!([event("license.created", "mine"), other]))
        .await;
    let key = key_with(&app, KeyScopes::default().with(KeyScope::Read)).await;
    let (_, body) = issue(&app, &key, json!({ "actor": "u-7" })).await;
    let token = body["token"].as_str().unwrap().to_string();
    let page = json!({ "older_than": null, "newer_than": null, "limit": 50 });
    let (status, shown) = app
        .call(
            &app.anonymous(),
            "embed/events",
            json!({ "token": token, "filter": {}, "page": page }),
        )
        .await;
    assert_eq!(status, 200);
    let descriptions: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, vec!["mine"]);
    let (_, opened) = app
        .call(&app.anonymous(), "embed/open", json!({ "token": token }))
        .await;
    assert_eq!(opened["Ok"]["actor"], "u-7");
    let used = app.self_log().await;
    assert!(used
        .iter()
        .any(|e| e.action == "viewer_token.used" && e.actor.id == "viewer:acme:u-7"));

    let record = app
        .store
        .api_key_by_prefix(app::auth::keys::prefix_of(&key).unwrap())
        .await
        .unwrap()
        .unwrap();
    app.store
        .revoke_api_key(&app::store::TenantScope::all_tenants(), record.id, 1)
        .await
        .unwrap();
    let (status, _) = app
        .call(
            &app.anonymous(),
            "embed/events",
            json!({ "token": token, "filter": {}, "page": page }),
        )
        .await;
    assert_eq!(status, 403);
    let (_, opened) = app
        .call(&app.anonymous(), "embed/open", json!({ "token": token }))
        .await;
    assert_eq!(opened, json!({ "Err": "Revoked" }));
}
