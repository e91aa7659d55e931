//! Alerts end to end: rules made through the server functions, events
//! ingested through the API, and the delivery worker sending to real local
//! receivers (SMTP, Slack, Telegram, webhooks).

use crate::{
    receivers::{HttpReceiver, SmtpSink},
    support::{spawn_app, TestApp},
};
use serde_json::{json, Value};
use server::{
    alerts::{sign, WorkerHandle, SIGNATURE_HEADER, TIMESTAMP_HEADER},
    config::{AlertsConfig, SmtpConfig, SmtpTls},
};
use std::{collections::HashSet, time::Duration};

pub(crate) fn config(telegram: Option<&HttpReceiver>, smtp: Option<&SmtpSink>) -> AlertsConfig {
    AlertsConfig {
        poll_ms: 20,
        retry_base_ms: 50,
        max_attempts: 10,
        silence_check_secs: 3_600,
        timeout_secs: 5,
        telegram_api: telegram.map_or_else(|| "http://127.0.0.1:9".into(), |t| t.base.clone()),
        smtp: smtp.map(|s| SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(s.port),
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Logbook <logbook@test.io>".into(),
        }),
        allow_private_targets: true,
    }
}

pub(crate) fn worker(app: &TestApp, config: &AlertsConfig) -> WorkerHandle {
    server::alerts::spawn(
        app.store.clone(),
        config,
        app.base.clone(),
        app.sealer.clone(),
    )
    .unwrap()
}

pub(crate) async fn destination(
    app: &TestApp,
    kind: &str,
    target: &str,
    secret: Option<&str>,
) -> i64 {
    let (status, body) = app
        .call(
            &app.client,
            "alerts/destinations/save",
            json!({ "form": { "name": format!("{kind} destination"), "tenant": null, "kind": kind, "target": target, "secret": secret } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["id"].as_i64().unwrap()
}

pub(crate) async fn rule(
    app: &TestApp,
    name: &str,
    conditions: &str,
    threshold: Value,
    destinations: &[i64],
) -> Value {
    let (status, body) = app
        .call(
            &app.client,
            "alerts/rules/save",
            json!({ "form": {
                "id": null, "name": name, "tenant": "acme", "conditions": conditions,
                "threshold": threshold["count"], "window_minutes": threshold["minutes"],
                "group_by": threshold["per"], "silence_minutes": null,
                "enabled": true, "destinations": destinations,
            } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

pub(crate) fn balance_added(actor: &str) -> Value {
    json!({
        "action": "balance.added", "event_type": "balance_added", "outcome": "success",
        "severity": "critical",
        "actor": { "id": actor, "email": format!("{actor}@acme.io"), "type": "staff" },
        "resource": { "type": "account", "id": "42" },
        "description": "Added 500 EUR by hand",
        "before": { "balance": 10 }, "after": { "balance": 510 },
    })
}

#[tokio::test]
async fn an_email_alert_reaches_a_local_smtp_server_naming_the_event_and_linking_to_it() {
    let app = spawn_app().await;
    let smtp = SmtpSink::start().await;
    let worker = worker(&app, &config(None, Some(&smtp)));
    let to = destination(&app, "email", "security@acme.io", None).await;
    rule(
        &app,
        "Manual balance additions",
        "action:balance.*",
        Value::Null,
        &[to],
    )
    .await;

    let id = app.ingest_one(balance_added("ann")).await;
    // Long headers arrive folded onto several lines.
    let mail = smtp.wait_for_message().await.replace("\n ", " ");
    worker.stop().await;
    assert!(mail.contains("To: security@acme.io"), "{mail}");
    assert!(
        mail.contains("Subject: [Logbook] Manual balance additions: critical: balance.added by ann@acme.io on account 42"),
        "{mail}"
    );
    assert!(
        mail.contains(&format!("{}/events/{id}", app.base)),
        "{mail}"
    );
    assert!(mail.contains("Added 500 EUR by hand"), "{mail}");
    let created = app.self_log().await;
    assert!(
        created.iter().any(|e| e.action == "alert.rule_created"
            && e.description.contains("Manual balance additions")),
        "rule changes are in the own log"
    );
    assert!(created
        .iter()
        .any(|e| e.action == "alert.destination_created"));
}

#[tokio::test]
async fn slack_telegram_and_webhook_receivers_get_their_shape_and_a_valid_signature() {
    let app = spawn_app().await;
    let (slack, telegram, hooks) = (
        HttpReceiver::start().await,
        HttpReceiver::start().await,
        HttpReceiver::start().await,
    );
    let worker = worker(&app, &config(Some(&telegram), None));
    let ids = [
        destination(
            &app,
            "slack",
            &format!("{}/services/T0/B0/xyz", slack.base),
            None,
        )
        .await,
        destination(&app, "telegram", "-100123", Some("123:ABC")).await,
        destination(
            &app,
            "webhook",
            &format!("{}/hook", hooks.base),
            Some("whsec_test"),
        )
        .await,
    ];
    rule(
        &app,
        "Balance",
        "action:balance.* severity:critical",
        Value::Null,
        &ids,
    )
    .await;
    let id = app.ingest_one(balance_added("ann")).await;
    let link = format!("{}/events/{id}", app.base);

    let s = &slack.wait_for(1).await[0];
    assert_eq!(s.path, "/services/T0/B0/xyz");
    let text = s.json()["text"].as_str().unwrap().to_string();
    assert!(
        text.starts_with("Balance: critical: balance.added by ann@acme.io"),
        "{text}"
    );
    assert!(
        text.ends_with(&format!("<{link}|Open in Logbook>")),
        "{text}"
    );

    let t = &telegram.wait_for(1).await[0];
    assert_eq!(t.path, "/bot123:ABC/sendMessage");
    assert_eq!(t.json()["chat_id"], "-100123");
    assert!(t.json()["text"].as_str().unwrap().ends_with(&link));

    let h = &hooks.wait_for(1).await[0];
    worker.stop().await;
    let timestamp: i64 = h.header(TIMESTAMP_HEADER).parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    assert_eq!(
        h.header(SIGNATURE_HEADER),
        sign("whsec_test", timestamp, &h.body),
        "the signature covers the timestamp and the exact body"
    );
    assert_ne!(
        h.header(SIGNATURE_HEADER),
        sign("other", timestamp, &h.body)
    );
    let body = h.json();
    assert_eq!(body["event"]["id"], id.as_str());
    assert_eq!(body["event"]["after"]["balance"], 510);
    assert_eq!(body["tenant"]["slug"], "acme");
    assert_eq!(body["link"], link.as_str());
    assert!(!h.header("X-Logbook-Delivery").is_empty());
}

#[tokio::test]
async fn a_receiver_failing_three_times_gets_the_notification_once_after_retries() {
    let app = spawn_app().await;
    let hooks = HttpReceiver::failing(3, Duration::ZERO).await;
    let worker = worker(&app, &config(None, None));
    let to = destination(&app, "webhook", &format!("{}/hook", hooks.base), None).await;
    rule(&app, "Balance", "action:balance.*", Value::Null, &[to]).await;
    let id = app.ingest_one(balance_added("ann")).await;

    let got = hooks.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.stop().await;
    assert_eq!(got[0].json()["event"]["id"], id.as_str());
    assert_eq!(hooks.attempts(), 4, "three failures, then one success");
    assert_eq!(hooks.received().len(), 1, "delivered once");
    let (_, overview) = app.call(&app.client, "alerts/load", json!({})).await;
    let delivery = &overview["deliveries"][0];
    assert_eq!(delivery["status"], "sent", "{overview}");
    assert_eq!(delivery["attempts"], 4);
    let log: Vec<String> = app.self_log().await.into_iter().map(|e| e.action).collect();
    assert!(
        log.contains(&"alert.destination_failing".to_string()),
        "{log:?}"
    );
    assert!(
        log.contains(&"alert.destination_recovered".to_string()),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_worker_restarted_mid_backlog_delivers_everything_exactly_once() {
    let app = spawn_app().await;
    let hooks = HttpReceiver::failing(0, Duration::from_millis(20)).await;
    let to = destination(&app, "webhook", &format!("{}/hook", hooks.base), None).await;
    rule(&app, "Balance", "action:balance.*", Value::Null, &[to]).await;
    let batch: Vec<Value> = (0..40)
        .map(|i| balance_added(&format!("actor{i}")))
        .collect();
    assert_eq!(app.ingest(Value::Array(batch)).await.status(), 200);

    let first = worker(&app, &config(None, None));
    hooks.wait_for(10).await;
    first.stop().await;
    let before_restart = hooks.received().len();
    assert!(
        before_restart < 40,
        "stopped mid-backlog ({before_restart} sent)"
    );
    let second = worker(&app, &config(None, None));
    let got = hooks.wait_for(40).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    second.stop().await;
    let deliveries: HashSet<String> = got.iter().map(|r| r.header("X-Logbook-Delivery")).collect();
    let events: HashSet<String> = got
        .iter()
        .map(|r| r.json()["event"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(hooks.attempts(), 40, "nothing sent twice");
    assert_eq!((deliveries.len(), events.len()), (40, 40), "nothing lost");
}

#[tokio::test]
async fn a_threshold_rule_fires_on_the_fifth_failed_sign_in_and_test_fire_counts_past_matches() {
    let app = spawn_app().await;
    let hooks = HttpReceiver::start().await;
    let worker = worker(&app, &config(None, None));
    let to = destination(&app, "webhook", &format!("{}/hook", hooks.base), None).await;
    let saved = rule(
        &app,
        "Password guessing",
        "category:auth outcome:failure",
        json!({ "count": 5, "minutes": 10, "per": "actor" }),
        &[to],
    )
    .await;
    let failed = json!({
        "action": "auth.sign_in", "event_type": "sign_in", "outcome": "failure",
        "actor": { "id": "user-9", "email": "eve@acme.io", "type": "customer" },
        "ip": "203.0.113.50",
    });
    for _ in 0..4 {
        app.ingest_one(failed.clone()).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(hooks.received().is_empty(), "four is below the threshold");
    app.ingest_one(failed.clone()).await;
    let got = hooks.wait_for(1).await;
    assert_eq!(got[0].json()["matched"], 5);
    assert_eq!(got[0].json()["group"], "user-9");

    let (status, preview) = app
        .call(
            &app.client,
            "alerts/rules/preview",
            json!({ "id": saved["id"] }),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["matched"], 5);
    assert!(preview["href"]
        .as_str()
        .unwrap()
        .contains("outcome=failure"));

    let (status, _) = app
        .call(&app.client, "alerts/destinations/test", json!({ "id": to }))
        .await;
    assert_eq!(status, 200);
    let got = hooks.wait_for(2).await;
    worker.stop().await;
    assert!(got[1].json()["summary"]
        .as_str()
        .unwrap()
        .starts_with("Test message: Logbook can reach this destination"));
}

#[tokio::test]
async fn a_partner_manages_only_their_own_tenants_alerts() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let (status, made) = app
        .call(
            &partner,
            "alerts/destinations/save",
            json!({ "form": { "name": "mine", "tenant": "globex", "kind": "webhook", "target": "http://127.0.0.1:9/x", "secret": null } }),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    assert_eq!(
        made["tenant"]["slug"], "acme",
        "a partner's destination is their tenant's"
    );
    destination(&app, "webhook", "http://127.0.0.1:9/staff", None).await;
    let (_, seen) = app.call(&partner, "alerts/load", json!({})).await;
    let names: Vec<&str> = seen["destinations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["mine"]);
    assert_eq!(seen["staff_wide"], false);
    let (status, _) = app
        .call(
            &partner,
            "alerts/destinations/test",
            json!({ "id": made["id"].as_i64().unwrap() + 1 }),
        )
        .await;
    assert_eq!(status, 404, "another destination's id finds nothing");
}
