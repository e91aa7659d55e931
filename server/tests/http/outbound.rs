//! Where Logbook's server may send: alert destinations never reach internal
//! addresses (unless the operator allows them), follow no redirects, echo
//! nothing a receiver answered, and test messages are rate-limited.

use crate::{
    alerts::{balance_added, config, destination, rule, worker},
    receivers::HttpReceiver,
    support::{spawn_app, spawn_strict, TestApp},
};
use axum::{http::StatusCode, response::Redirect, routing::post, Router};
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

/// A loopback service that must stay unreachable: it answers every POST
/// with `status` and a secret body, and counts what it was sent.
async fn internal_service(status: StatusCode) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = Router::new().route(
        "/{*path}",
        post(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async move { (status, "INTERNAL-SECRET db_password=hunter2") }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), hits)
}

/// The last error of the newest delivery, once it has been tried.
async fn last_error(app: &TestApp) -> String {
    for _ in 0..300 {
        let (_, seen) = app.call(&app.client, "alerts/load", json!({})).await;
        if let Some(error) = seen["deliveries"][0]["last_error"].as_str() {
            return error.to_string();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delivery was never tried");
}

async fn save(app: &TestApp, client: &reqwest::Client, kind: &str, target: &str) -> (u16, Value) {
    let (status, body) = app
        .call(
            client,
            "alerts/destinations/save",
            json!({ "form": { "name": "probe", "tenant": "acme", "kind": kind, "target": target, "secret": null } }),
        )
        .await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn a_partner_cannot_save_a_webhook_or_slack_url_pointing_at_an_internal_address() {
    let app = spawn_strict().await;
    let partner = app.session("partner@acme.io").await;
    let (service, hits) = internal_service(StatusCode::OK).await;
    for target in [
        format!("{service}/hook"),
        "http://localhost:8080/hook".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://[::1]/hook".into(),
        "http://[::ffff:127.0.0.1]/hook".into(),
        "http://10.0.0.5/hook".into(),
        "http://0.0.0.0:22/".into(),
    ] {
        for kind in ["webhook", "slack"] {
            let (status, body) = save(&app, &partner, kind, &target).await;
            assert_eq!(status, 400, "{kind} {target} was saved: {body}");
            assert!(
                body.to_string().contains("internal address"),
                "{target}: {body}"
            );
        }
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_destination_that_points_inside_is_refused_again_when_sent_and_never_contacted() {
    // Saved while private targets were allowed (or through a name that
    // resolved elsewhere then): the sender checks again.
    let app = spawn_app().await;
    let (service, hits) = internal_service(StatusCode::OK).await;
    let id = destination(&app, "webhook", &format!("{service}/hook"), None).await;
    let mut strict = config(None, None);
    strict.allow_private_targets = false;
    let worker = worker(&app, &strict);
    let (status, _) = app
        .call(&app.client, "alerts/destinations/test", json!({ "id": id }))
        .await;
    assert_eq!(status, 200);
    let error = last_error(&app).await;
    worker.stop().await;
    assert!(error.contains("internal address"), "{error}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the service was contacted");
}

#[tokio::test]
async fn a_failing_receivers_answer_is_never_shown_only_its_status_class() {
    let app = spawn_app().await;
    let (service, hits) = internal_service(StatusCode::INTERNAL_SERVER_ERROR).await;
    let id = destination(&app, "webhook", &format!("{service}/hook"), None).await;
    let worker = worker(&app, &config(None, None));
    app.call(&app.client, "alerts/destinations/test", json!({ "id": id }))
        .await;
    let error = last_error(&app).await;
    worker.stop().await;
    assert!(hits.load(Ordering::SeqCst) >= 1);
    assert!(error.starts_with("HTTP 5xx from 127.0.0.1"), "{error}");
    assert!(!error.contains("INTERNAL-SECRET"), "{error}");
    let (_, seen) = app.call(&app.client, "alerts/load", json!({})).await;
    assert!(!seen.to_string().contains("INTERNAL-SECRET"));
}

#[tokio::test]
async fn a_receiver_that_redirects_is_not_followed() {
    let app = spawn_app().await;
    let (inside, hits) = internal_service(StatusCode::OK).await;
    let router = Router::new().route(
        "/{*path}",
        post(move || {
            let to = format!("{inside}/metadata");
            async move { Redirect::temporary(&to) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let id = destination(&app, "webhook", &format!("http://{addr}/hook"), None).await;
    let worker = worker(&app, &config(None, None));
    app.call(&app.client, "alerts/destinations/test", json!({ "id": id }))
        .await;
    let error = last_error(&app).await;
    worker.stop().await;
    assert!(error.starts_with("HTTP 3xx"), "{error}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the redirect was followed");
}

#[tokio::test]
async fn test_messages_are_limited_per_member() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let (status, made) = save(&app, &partner, "email", "ops@acme.io").await;
    assert_eq!(status, 200, "{made}");
    let id = made["id"].as_i64().unwrap();
    for _ in 0..5 {
        let (status, body) = app
            .call(&partner, "alerts/destinations/test", json!({ "id": id }))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = app
        .call(&partner, "alerts/destinations/test", json!({ "id": id }))
        .await;
    assert_eq!(status, 429, "{body}");
    assert!(
        body.to_string().contains("Too many test messages"),
        "{body}"
    );
    let (status, _) = app
        .call(&app.client, "alerts/destinations/test", json!({ "id": id }))
        .await;
    assert_eq!(status, 200, "another member has their own allowance");
}

#[tokio::test]
async fn a_destination_that_never_answers_delays_only_itself() {
    let app = spawn_app().await;
    let silent = HttpReceiver::failing(0, Duration::from_secs(60)).await;
    let fast = HttpReceiver::start().await;
    let ids = [
        destination(&app, "webhook", &format!("{}/silent", silent.base), None).await,
        destination(&app, "webhook", &format!("{}/fast", fast.base), None).await,
    ];
    rule(&app, "Balance", "action:balance.*", Value::Null, &ids).await;
    let worker = worker(&app, &config(None, None));
    let started = Instant::now();
    app.ingest_one(balance_added("ann")).await;
    fast.wait_for(1).await;
    let waited = started.elapsed();
    worker.stop().await;
    assert!(
        waited < Duration::from_secs(3),
        "the fast receiver waited {waited:?} behind the silent one"
    );
}

#[tokio::test]
async fn a_tenant_has_a_bounded_number_of_rules_and_destinations() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let mut last = (0, Value::Null);
    for i in 0..21 {
        last = save(&app, &partner, "email", &format!("ops{i}@acme.io")).await;
        if i < 20 {
            assert_eq!(last.0, 200, "{}", last.1);
        }
    }
    assert_eq!(last.0, 400, "{}", last.1);
    assert!(last.1.to_string().contains("at most 20 alert destinations"));
    for i in 0..51 {
        let (status, body) = app
            .call(
                &partner,
                "alerts/rules/save",
                json!({ "form": {
                    "id": null, "name": format!("rule {i}"), "tenant": "acme",
                    "conditions": "action:balance.*", "threshold": null, "window_minutes": null,
                    "group_by": null, "silence_minutes": null, "enabled": false, "destinations": [],
                } }),
            )
            .await;
        if i < 50 {
            assert_eq!(status, 200, "{body}");
        } else {
            assert_eq!(status, 400, "{body}");
            assert!(
                body.to_string().contains("at most 50 alert rules"),
                "{body}"
            );
        }
    }
}
