//! What a stolen session or a guessing script can do with one-time codes
//! and the current password: replay nothing, replace nothing, guess a few
//! times at most, and every wrong guess is on record.

use crate::{
    sign_in::{code_for, code_in},
    support::{cookie_of, spawn_app, with_cookie, TestApp, PASSWORD},
};
use reqwest::StatusCode;
use serde_json::json;

async fn form(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    pairs: &[(&str, &str)],
) -> StatusCode {
    client
        .post(format!("{}/api/{path}", app.base))
        .form(pairs)
        .send()
        .await
        .unwrap()
        .status()
}

/// Turns codes on for the auditor; returns a full session and the secret.
async fn enrolled(app: &TestApp) -> (reqwest::Client, String) {
    let auditor = app.session("auditor@test.io").await;
    let (_, enrolment) = app.call(&auditor, "auth/totp/begin", json!({})).await;
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    let status = form(
        &auditor,
        app,
        "auth/totp/confirm",
        &[("code", &code_for(&secret))],
    )
    .await;
    assert_eq!(status, 200);
    (auditor, secret)
}

async fn half_session(app: &TestApp) -> reqwest::Client {
    with_cookie(&cookie_of(&app.sign_in("auditor@test.io", PASSWORD).await))
}

fn count(log: &[app::model::Event], action: &str) -> usize {
    log.iter().filter(|e| e.action == action).count()
}

#[tokio::test]
async fn a_one_time_code_is_accepted_once_and_never_replayed() {
    let app = spawn_app().await;
    let (_, secret) = enrolled(&app).await;
    let code = code_in(&secret, 1);
    let first = half_session(&app).await;
    assert_eq!(
        form(&first, &app, "auth/verify_code", &[("code", &code)]).await,
        200
    );
    let second = half_session(&app).await;
    assert_eq!(
        form(&second, &app, "auth/verify_code", &[("code", &code)]).await,
        StatusCode::BAD_REQUEST,
        "the same code signed in twice"
    );
    assert_eq!(app.call(&second, "tenants/list", json!({})).await.0, 401);
}

#[tokio::test]
async fn an_enrolled_factor_cannot_be_replaced_without_turning_it_off_with_a_code() {
    let app = spawn_app().await;
    let (auditor, secret) = enrolled(&app).await;
    let (status, body) = app.call(&auditor, "auth/totp/begin", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.to_string().contains("turn them off first"), "{body}");
    let (_, still) = app
        .store
        .totp_secrets(account_id(&app).await)
        .await
        .unwrap();
    assert!(still.is_none(), "no new secret was stored as pending");
    assert_eq!(
        form(
            &auditor,
            &app,
            "auth/totp/disable",
            &[("code", &code_in(&secret, 1))]
        )
        .await,
        200
    );
    assert_eq!(
        app.call(&auditor, "auth/totp/begin", json!({})).await.0,
        200
    );
}

async fn account_id(app: &TestApp) -> i64 {
    app.store
        .sign_in_record("auditor@test.io")
        .await
        .unwrap()
        .unwrap()
        .member
        .account_id()
}

#[tokio::test]
async fn wrong_codes_to_turn_codes_off_are_logged_and_throttled() {
    let app = spawn_app().await;
    let (auditor, secret) = enrolled(&app).await;
    for _ in 0..5 {
        let status = form(&auditor, &app, "auth/totp/disable", &[("code", "000000")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let status = form(
        &auditor,
        &app,
        "auth/totp/disable",
        &[("code", &code_in(&secret, 1))],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a sixth guess was checked"
    );
    assert_eq!(count(&app.self_log().await, "auth.reauth.failed"), 5);
}

#[tokio::test]
async fn wrong_current_passwords_are_logged_and_throttled() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    for _ in 0..5 {
        let status = form(
            &partner,
            &app,
            "auth/password",
            &[("current", "guess-123456"), ("new", "new-password-99")],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let status = form(
        &partner,
        &app,
        "auth/password",
        &[("current", PASSWORD), ("new", "new-password-99")],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(count(&app.self_log().await, "auth.reauth.failed"), 5);
}

#[tokio::test]
async fn the_wrong_code_limit_holds_under_concurrent_guesses() {
    let app = spawn_app().await;
    enrolled(&app).await;
    let half = half_session(&app).await;
    let guesses = (0..20).map(|i| {
        let (half, app) = (half.clone(), &app);
        async move {
            let code = format!("{:06}", 100_000 + i);
            form(&half, app, "auth/verify_code", &[("code", &code)]).await
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = count(&app.self_log().await, "auth.otp.failed");
    assert!(checked <= 5, "{checked} codes were checked: {statuses:?}");
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn the_code_step_hands_out_a_fresh_session_token_and_ends_the_half_signed_in_one() {
    let app = spawn_app().await;
    let (_, secret) = enrolled(&app).await;
    let half_cookie = cookie_of(&app.sign_in("auditor@test.io", PASSWORD).await);
    let half = with_cookie(&half_cookie);
    let response = half
        .post(format!("{}/api/auth/verify_code", app.base))
        .form(&[("code", code_in(&secret, 1))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let full_cookie = cookie_of(&response);
    assert_ne!(full_cookie, half_cookie);
    assert_eq!(app.call(&half, "tenants/list", json!({})).await.0, 401);
    let full = with_cookie(&full_cookie);
    assert_eq!(app.call(&full, "tenants/list", json!({})).await.0, 200);
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_age_however_busy() {
    use crate::support::{spawn_configured, sqlite_url};
    let app = spawn_configured(sqlite_url(), Default::default(), |state| {
        state.with_session_max_age(std::time::Duration::from_secs(2))
    })
    .await;
    let partner = app.session("partner@acme.io").await;
    assert_eq!(app.call(&partner, "tenants/list", json!({})).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    assert_eq!(app.call(&partner, "tenants/list", json!({})).await.0, 401);
}

#[tokio::test]
async fn a_password_reset_by_an_admin_must_be_replaced_before_anything_else() {
    let app = spawn_app().await;
    let id = app
        .store
        .sign_in_record("partner@acme.io")
        .await
        .unwrap()
        .unwrap()
        .member
        .account_id();
    let (status, temporary) = app
        .call(&app.client, "team/reset_password", json!({ "id": id }))
        .await;
    assert_eq!(status, 200, "{temporary}");
    let temporary = temporary.as_str().unwrap().to_string();
    let signed_in = app.sign_in("partner@acme.io", &temporary).await;
    assert_eq!(signed_in.status(), 200);
    let partner = with_cookie(&cookie_of(&signed_in));
    let (status, body) = app.call(&partner, "tenants/list", json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("choose your own"), "{body}");
    let page = partner.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.headers()["location"], "/account");
    let status = form(
        &partner,
        &app,
        "auth/password",
        &[("current", &temporary), ("new", "my-own-password-1")],
    )
    .await;
    assert_eq!(status, 200);
    let again = app.sign_in("partner@acme.io", "my-own-password-1").await;
    let partner = with_cookie(&cookie_of(&again));
    assert_eq!(app.call(&partner, "tenants/list", json!({})).await.0, 200);
}
