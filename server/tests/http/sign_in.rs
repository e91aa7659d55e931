//! Signing in and out, throttling, one-time codes, and changes that take
//! effect on the member's next request.

use crate::support::{cookie_of, spawn_app, with_cookie, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn signing_in_sets_an_http_only_cookie_and_is_logged_with_ip_and_user_agent() {
    let app = spawn_app().await;
    let response = app.sign_in("partner@acme.io", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let client = with_cookie(&cookie_of(&response));
    let (status, viewer) = app.call(&client, "auth/viewer", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(viewer["role"], "partner");
    assert_eq!(viewer["tenant"]["slug"], "acme");
    let log = app.self_log().await;
    let sign_in = log
        .iter()
        .find(|e| e.action == "auth.sign_in" && e.actor.email.as_deref() == Some("partner@acme.io"))
        .expect("sign-in recorded");
    assert_eq!(sign_in.ip.as_deref(), Some("127.0.0.1"));
    assert!(sign_in.user_agent.is_none() || sign_in.user_agent.is_some());
}

#[tokio::test]
async fn five_wrong_passwords_throttle_the_account_with_a_clear_message_and_are_logged() {
    let app = spawn_app().await;
    for attempt in 1..=4 {
        let response = app.sign_in("partner@acme.io", "wrong-password").await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "attempt {attempt}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({ "BadRequest": "Email or password is wrong." }));
    }
    let fifth: Value = app
        .sign_in("partner@acme.io", "wrong-password")
        .await
        .json()
        .await
        .unwrap();
    let message = fifth["TooManyRequests"].as_str().unwrap();
    assert!(
        message.starts_with("Too many failed sign-ins for this account. Try again in 15 minutes"),
        "{message}"
    );
    // Even the right password is refused while throttled.
    let right = app.sign_in("partner@acme.io", PASSWORD).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    let failures: Vec<_> = app
        .self_log()
        .await
        .into_iter()
        .filter(|e| e.action == "auth.sign_in.failed")
        .collect();
    assert_eq!(failures.len(), 6);
    assert!(failures
        .iter()
        .all(|e| e.ip.as_deref() == Some("127.0.0.1")));
    let tried = failures[0].metadata.as_ref().unwrap();
    assert_eq!(tried["email_tried"], "partner@acme.io");
    assert_eq!(
        failures[0].metadata.as_ref().unwrap()["reason"],
        "throttled"
    );
    // Another account from the same address is not blocked by these five.
    assert_eq!(app.sign_in("auditor@test.io", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn an_unknown_email_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app().await;
    let unknown: Value = app
        .sign_in("nobody@x.io", "whatever-pass")
        .await
        .json()
        .await
        .unwrap();
    let wrong: Value = app
        .sign_in("admin@test.io", "whatever-pass")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unknown, wrong);
}

#[tokio::test]
async fn signing_out_ends_the_session_everywhere_the_cookie_is_used() {
    let app = spawn_app().await;
    let cookie = cookie_of(&app.sign_in("auditor@test.io", PASSWORD).await);
    let (tab_one, tab_two) = (with_cookie(&cookie), with_cookie(&cookie));
    assert_eq!(app.call(&tab_two, "auth/viewer", json!({})).await.0, 200);
    let out = tab_one
        .post(format!("{}/api/auth/sign_out", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(
        app.call(&tab_two, "auth/viewer", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(app
        .self_log()
        .await
        .iter()
        .any(|e| e.action == "auth.sign_out"));
}

#[tokio::test]
async fn a_role_change_or_deactivation_takes_effect_on_the_members_next_request() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let (_, members) = app.call(&app.client, "team/list", json!({})).await;
    let id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "partner@acme.io")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let form = json!({ "email": "partner@acme.io", "name": "P", "role": "staff", "tenant": "acme", "permissions": [] });
    let (status, _) = app
        .call(
            &app.client,
            "team/update",
            json!({ "id": id, "form": form }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.call(&partner, "tenants/list", json!({})).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a staff member reads no tenants"
    );
    let (status, _) = app
        .call(
            &app.client,
            "team/active",
            json!({ "id": id, "active": false }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.call(&partner, "auth/viewer", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in("partner@acme.io", PASSWORD).await.status(),
        StatusCode::BAD_REQUEST
    );
    let log = app.self_log().await;
    let updated = log
        .iter()
        .find(|e| e.action == "team.member.updated")
        .unwrap();
    assert_eq!(updated.before.as_ref().unwrap()["role"], "partner");
    assert_eq!(updated.after.as_ref().unwrap()["role"], "staff");
    assert!(log.iter().any(|e| e.action == "team.member.deactivated"));
}

#[tokio::test]
async fn an_admin_creates_a_member_who_signs_in_with_the_temporary_password() {
    let app = spawn_app().await;
    let form = json!({ "email": "New@Acme.io", "name": "Nia", "role": "partner", "tenant": "acme", "permissions": ["view_logs", "export"] });
    let (status, created) = app
        .call(&app.client, "team/create", json!({ "form": form }))
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["email"], "new@acme.io");
    let password = created["password"].as_str().unwrap();
    assert_eq!(app.sign_in("new@acme.io", password).await.status(), 200);
    let (status, again) = app
        .call(&app.client, "team/create", json!({ "form": form }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again,
        json!({ "BadRequest": "an account with this email already exists" })
    );
    let partner_without_tenant = json!({ "email": "p2@x.io", "name": "P", "role": "partner", "tenant": null, "permissions": [] });
    let (status, err) = app
        .call(
            &app.client,
            "team/create",
            json!({ "form": partner_without_tenant }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err, json!({ "BadRequest": "Choose the partner's tenant." }));
}

/// The authenticator's current code.
pub fn code_for(secret: &str) -> String {
    code_in(secret, 0)
}

/// The code of the time step `steps` from now (one step ahead is accepted
/// as clock skew: a test's way to have a fresh code without waiting).
pub fn code_in(secret: &str, steps: i64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .unwrap();
    let at = (chrono::Utc::now().timestamp() + steps * 30) as u64;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, "t".into())
        .unwrap()
        .generate(at)
}

#[tokio::test]
async fn with_one_time_codes_on_the_password_alone_grants_nothing_until_the_code_is_given() {
    let app = spawn_app().await;
    let auditor = app.session("auditor@test.io").await;
    let (_, enrolment) = app.call(&auditor, "auth/totp/begin", json!({})).await;
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));
    let confirm = |client: &reqwest::Client, path: &str, code: String| {
        client
            .post(format!("{}/api/{path}", app.base))
            .form(&[("code", code)])
            .send()
    };
    let bad = confirm(&auditor, "auth/totp/confirm", "000000".into())
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let ok = confirm(&auditor, "auth/totp/confirm", code_for(&secret))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);

    let response = app.sign_in("auditor@test.io", PASSWORD).await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!("CodeRequired")
    );
    let half = with_cookie(&cookie_of(&app.sign_in("auditor@test.io", PASSWORD).await));
    assert_eq!(
        app.call(&half, "tenants/list", json!({})).await.0,
        StatusCode::UNAUTHORIZED
    );
    let page = half.get(format!("{}/", app.base)).send().await.unwrap();
    assert!(page.status().is_redirection());
    assert_eq!(
        confirm(&half, "auth/verify_code", "111111".into())
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    // The enrolment used up the current code; the next one is accepted,
    // and signs in with a fresh session token.
    let verified = confirm(&half, "auth/verify_code", code_in(&secret, 1))
        .await
        .unwrap();
    assert_eq!(verified.status(), 200);
    let full = with_cookie(&cookie_of(&verified));
    assert_eq!(app.call(&full, "tenants/list", json!({})).await.0, 200);
    let actions: Vec<String> = app.self_log().await.into_iter().map(|e| e.action).collect();
    for expected in [
        "auth.otp.enrolled",
        "auth.otp.requested",
        "auth.otp.failed",
        "auth.otp.verified",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_key_created_in_the_dashboard_ingests_and_stops_at_once_when_revoked() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let created: Value = partner
        .post(format!("{}/api/keys/create", app.base))
        .form(&[("tenant", "acme"), ("name", "billing"), ("ingest", "on")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    assert_eq!(created["key"]["created_by"], "partner@acme.io");
    let send = || {
        app.client
            .post(format!("{}/api/v1/events", app.base))
            .bearer_auth(&secret)
            .json(&json!([crate::support::event("user.login", "x")]))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    let (_, keys) = app.call(&partner, "keys/list", json!({})).await;
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .all(|k| k["tenant"] == "acme"),
        "{keys}"
    );
    let (status, _) = app
        .call(
            &partner,
            "keys/revoke",
            json!({ "id": created["key"]["id"] }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let actions: Vec<String> = app.self_log().await.into_iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&"api_key.created".to_string())
            && actions.contains(&"api_key.revoked".to_string())
    );
}

#[tokio::test]
async fn searches_and_detail_views_are_recorded_in_logbooks_own_log() {
    let app = spawn_app().await;
    let body: Value = app
        .ingest(json!([crate::support::event("license.created", "x")]))
        .await
        .json()
        .await
        .unwrap();
    let id = body["results"][0]["id"].as_str().unwrap();
    let page = json!({ "older_than": null, "newer_than": null, "limit": 5 });
    app.call(
        &app.client,
        "events/list",
        json!({ "filter": { "is": { "actions": ["license.*"] } }, "page": page }),
    )
    .await;
    app.call(&app.client, "events/get", json!({ "id": id }))
        .await;
    let log = app.self_log().await;
    let search = log.iter().find(|e| e.action == "log.searched").unwrap();
    assert_eq!(
        search.metadata.as_ref().unwrap()["filter"]["action"],
        "license.*"
    );
    let view = log.iter().find(|e| e.action == "event.viewed").unwrap();
    assert_eq!(view.resource.as_ref().unwrap().id, id);
    assert_eq!(view.actor.email.as_deref(), Some("admin@test.io"));
}
