//! Who may call what: every server function and page, for each kind of caller.

use crate::support::{event, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// How to call each server function with arguments that would succeed for an
/// admin, so a refusal proves the access check and not a parse error.
enum Body {
    Json(Value),
    Form(&'static [(&'static str, &'static str)]),
}

fn example_call(path: &str) -> Body {
    let member = json!({ "email": "new@x.io", "name": "New", "role": "partner", "tenant": "acme", "permissions": ["view_logs"] });
    match path {
        "/api/events/list" => Body::Json(
            json!({ "filter": {}, "page": { "older_than": null, "newer_than": null, "limit": 5 } }),
        ),
        "/api/events/get" => Body::Json(json!({ "id": "01JAAAAAAAAAAAAAAAAAAAAAAA" })),
        "/api/notes/list" => Body::Json(json!({ "event_id": "01JAAAAAAAAAAAAAAAAAAAAAAA" })),
        "/api/views/list" => Body::Json(json!({})),
        "/api/analytics" => Body::Json(json!({ "request": { "filter": { "range": "7d" } } })),
        "/api/analytics/sparkline" => Body::Json(json!({ "filter": { "range": "7d" } })),
        "/api/events/actors" => Body::Json(json!({ "typed": "al" })),
        "/api/views/save" => Body::Json(json!({ "name": "mine", "filter": {} })),
        "/api/views/delete" => Body::Json(json!({ "id": 1 })),
        "/api/notes/comment" => {
            Body::Json(json!({ "event_id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "text": "checked" }))
        }
        "/api/notes/tag" => {
            Body::Json(json!({ "event_id": "01JAAAAAAAAAAAAAAAAAAAAAAA", "tag": "checked" }))
        }
        "/api/embedding/save" => {
            Body::Form(&[("tenant", "acme"), ("origins", "https://portal.acme.io")])
        }
        "/api/tenants/list"
        | "/api/embedding/list"
        | "/api/team/list"
        | "/api/keys/list"
        | "/api/auth/viewer"
        | "/api/auth/totp/begin" => Body::Json(json!({})),
        "/api/chains/verify" | "/api/chains/sign" => Body::Json(json!({ "tenant": "acme" })),
        "/api/chains/overview" | "/api/tenants/settings" => Body::Json(json!({})),
        "/api/tenants/update_settings" => Body::Json(
            json!({ "tenant": "acme", "form": { "retention": "Forever", "legal_hold": false, "redaction_words": [] } }),
        ),
        "/api/exports/progress" | "/api/exports/cancel" => Body::Json(json!({ "job": "abc123" })),
        "/api/team/create" => Body::Json(json!({ "form": member })),
        "/api/team/update" => Body::Json(json!({ "id": 1, "form": member })),
        "/api/team/active" => Body::Json(json!({ "id": 1, "active": true })),
        "/api/team/reset_password" | "/api/keys/revoke" => Body::Json(json!({ "id": 1 })),
        "/api/alerts/load" => Body::Json(json!({})),
        "/api/alerts/rules/save" => Body::Json(
            json!({ "form": { "id": null, "name": "r", "tenant": "acme", "conditions": "", "threshold": null, "window_minutes": null, "group_by": null, "silence_minutes": null, "enabled": false, "destinations": [] } }),
        ),
        "/api/alerts/destinations/save" => Body::Json(
            json!({ "form": { "name": "d", "tenant": "acme", "kind": "webhook", "target": "http://127.0.0.1:9/", "secret": null } }),
        ),
        "/api/alerts/rules/delete"
        | "/api/alerts/rules/preview"
        | "/api/alerts/destinations/delete"
        | "/api/alerts/destinations/test" => Body::Json(json!({ "id": 1 })),
        "/api/keys/create" => Body::Form(&[("tenant", "acme"), ("name", "ci"), ("ingest", "on")]),
        "/api/auth/sign_in" => Body::Form(&[("email", "x@y.z"), ("password", "wrong-password")]),
        "/api/auth/verify_code" | "/api/auth/totp/confirm" | "/api/auth/totp/disable" => {
            Body::Form(&[("code", "123456")])
        }
        "/api/auth/sign_out" => Body::Form(&[]),
        "/api/auth/password" => Body::Form(&[("current", "x"), ("new", "new-password-99")]),
        other => panic!("{other} is a server function this test does not know: add it above"),
    }
}

async fn call(app: &TestApp, client: &reqwest::Client, path: &str) -> StatusCode {
    let request = client.post(format!("{}{path}", app.base));
    let request = match example_call(path) {
        Body::Json(body) => request.json(&body),
        Body::Form(fields) => request.form(fields),
    };
    request.send().await.unwrap().status()
}

fn server_functions() -> Vec<&'static str> {
    let mut paths: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    paths.sort();
    paths.dedup();
    assert!(
        paths.len() >= 18,
        "server functions not registered: {paths:?}"
    );
    paths
}

/// Signing in is the one thing anyone may try.
const PUBLIC: &str = "/api/auth/sign_in";

/// A person's own session and account: any signed-in role may use these.
fn is_self_service(path: &str) -> bool {
    path.starts_with("/api/auth/")
}

/// The embedded viewer's functions answer to a viewer token, not a session
/// (see `viewer_functions_open_nothing_without_a_token_this_server_sealed`).
fn is_viewer(path: &str) -> bool {
    path.starts_with("/api/embed/")
}

#[tokio::test]
async fn viewer_functions_open_nothing_without_a_token_this_server_sealed() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    let page = json!({ "older_than": null, "newer_than": null, "limit": 5 });
    for token in [
        "",
        "lbv_forged",
        "lbk_abcdefgh_00000000000000000000000000000000",
    ] {
        for (path, body) in [
            (
                "events",
                json!({ "token": token, "filter": {}, "page": page }),
            ),
            (
                "event",
                json!({ "token": token, "id": "01JAAAAAAAAAAAAAAAAAAAAAAA" }),
            ),
        ] {
            let response = anonymous
                .post(format!("{}/api/embed/{path}", app.base))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {token}");
        }
        let (status, opened) = app
            .call(&anonymous, "embed/open", json!({ "token": token }))
            .await;
        assert_eq!(
            (status, opened),
            (StatusCode::OK, json!({ "Err": "Invalid" }))
        );
    }
    let page = anonymous
        .get(format!("{}/embed?token=lbv_forged", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "no sign-in redirect");
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("This link is not valid"));
}

#[tokio::test]
async fn every_server_function_but_sign_in_refuses_an_anonymous_caller() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    for path in server_functions()
        .into_iter()
        .filter(|p| *p != PUBLIC && !is_viewer(p))
    {
        assert_eq!(
            call(&app, &anonymous, path).await,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_log_team_and_key_function_refuses_staff_and_customers() {
    let app = spawn_app().await;
    for email in ["staff@acme.io", "customer@acme.io"] {
        let client = app.session(email).await;
        for path in server_functions()
            .into_iter()
            .filter(|p| !is_self_service(p) && !is_viewer(p))
        {
            assert_eq!(
                call(&app, &client, path).await,
                StatusCode::FORBIDDEN,
                "{email} {path}"
            );
        }
    }
}

fn page_paths(app: &TestApp) -> Vec<String> {
    let state = server::http::AppState::new(
        app.store.clone(),
        std::path::Path::new("target/site"),
        Default::default(),
    );
    let mut paths: Vec<String> = state
        .routes
        .iter()
        .map(|r| r.path().replace("{id}", "01JAAAAAAAAAAAAAAAAAAAAAAA"))
        .filter(|p| p != "/sign-in")
        // The embedded viewer answers to its token, not to a session.
        .filter(|p| !p.starts_with("/embed"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 7, "{paths:?}");
    paths
}

#[tokio::test]
async fn every_page_sends_an_anonymous_caller_to_sign_in_and_back() {
    let app = spawn_app().await;
    let anonymous = app.anonymous();
    for path in page_paths(&app) {
        let response = anonymous
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_redirection(),
            "{path}: {}",
            response.status()
        );
        let location = response.headers()["location"].to_str().unwrap();
        let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(location, format!("/sign-in?next={next}"), "{path}");
    }
    let (status, html) = (
        anonymous
            .get(format!("{}/sign-in", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        app.get_as(&anonymous, "/sign-in").await.1,
    );
    assert_eq!(status, 200);
    assert!(html.contains("Sign in to Logbook"), "{html}");
}

#[tokio::test]
async fn staff_and_customers_are_shown_the_no_access_page_for_every_page() {
    let app = spawn_app().await;
    for email in ["staff@acme.io", "customer@acme.io"] {
        let client = app.session(email).await;
        for path in page_paths(&app).into_iter().filter(|p| p != "/no-access") {
            let response = client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_redirection(), "{email} {path}");
            assert_eq!(
                response.headers()["location"],
                "/no-access",
                "{email} {path}"
            );
        }
        let html = app.get_as(&client, "/no-access").await.1;
        assert!(html.contains("has no access to activity logs"), "{html}");
        assert!(html.contains(email), "{html}");
    }
}

#[tokio::test]
async fn an_auditor_reads_every_tenant_but_its_write_attempts_are_refused_and_logged() {
    let app = spawn_app().await;
    let auditor = app.session("auditor@test.io").await;
    let (status, tenants) = app.call(&auditor, "tenants/list", json!({})).await;
    assert_eq!(status, 200);
    assert!(tenants.as_array().unwrap().len() >= 3, "{tenants}");
    for path in [
        "/api/team/create",
        "/api/team/active",
        "/api/keys/create",
        "/api/keys/revoke",
        "/api/chains/sign",
        "/api/tenants/update_settings",
        "/api/notes/comment",
        "/api/notes/tag",
        "/api/alerts/rules/save",
        "/api/alerts/destinations/save",
    ] {
        assert_eq!(
            call(&app, &auditor, path).await,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let denied: Vec<_> = app
        .self_log()
        .await
        .into_iter()
        .filter(|e| {
            e.action == "access.denied" && e.actor.email.as_deref() == Some("auditor@test.io")
        })
        .collect();
    assert_eq!(denied.len(), 10, "{denied:#?}");
    assert!(denied.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
}

#[tokio::test]
async fn a_partner_gets_nothing_of_another_tenant_by_editing_a_filter_an_id_or_a_key_request() {
    let app = spawn_app().await;
    let theirs_id = app
        .append_to("globex", event("globex.secret", "globex only"))
        .await;
    app.ingest(json!([event("license.created", "acme event")]))
        .await;
    let partner = app.session("partner@acme.io").await;

    let page = json!({ "older_than": null, "newer_than": null, "limit": 50 });
    let (_, mine) = app
        .call(
            &partner,
            "events/list",
            json!({ "filter": {}, "page": page }),
        )
        .await;
    let tenants: Vec<&str> = mine["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(tenants, vec!["acme"]);
    let (_, theirs) = app
        .call(
            &partner,
            "events/list",
            json!({ "filter": { "tenant": "globex" }, "page": page }),
        )
        .await;
    assert_eq!(theirs["events"], json!([]));
    let (status, _) = app
        .call(&partner, "events/get", json!({ "id": theirs_id }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, tenants) = app.call(&partner, "tenants/list", json!({})).await;
    assert_eq!(tenants.as_array().unwrap().len(), 1);
    let status = partner
        .post(format!("{}/api/keys/create", app.base))
        .form(&[("tenant", "globex"), ("name", "sneaky")])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);
}
