//! Live updates: a log page on its first page follows `/api/live`.

use crate::support::{event, spawn_app, TestApp};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Reads the stream until `needle` shows up or `within` passes.
pub(crate) async fn read_until(
    response: &mut reqwest::Response,
    needle: &str,
    within: Duration,
) -> String {
    let start = Instant::now();
    let mut seen = String::new();
    while start.elapsed() < within && !seen.contains(needle) {
        let left = within.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, response.chunk()).await {
            Ok(Ok(Some(bytes))) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            _ => break,
        }
    }
    seen
}

async fn newest_cursor(app: &TestApp) -> String {
    let page = json!({ "older_than": null, "newer_than": null, "limit": 1 });
    let (_, body) = app
        .call(
            &app.client,
            "events/list",
            json!({ "filter": {}, "page": page }),
        )
        .await;
    let top = &body["events"][0];
    let micros = chrono::DateTime::parse_from_rfc3339(top["occurred_at"].as_str().unwrap())
        .unwrap()
        .timestamp_micros();
    format!("{micros}.{}.{}", top["tenant_id"], top["seq"])
}

#[tokio::test]
async fn a_matching_event_reaches_an_open_stream_within_two_seconds_and_others_do_not() {
    let app = spawn_app().await;
    app.ingest(json!([event("license.created", "Before the page opened")]))
        .await;
    let after = newest_cursor(&app).await;
    let mut stream = app
        .client
        .get(format!(
            "{}/api/live?action=license.*&after={after}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let sent = Instant::now();
    app.ingest(json!([
        event("user.login", "Not a licence event"),
        event("license.hwid_reset", "Fresh from the API"),
    ]))
    .await;
    let seen = read_until(&mut stream, "Fresh from the API", Duration::from_secs(5)).await;
    assert!(seen.contains("Fresh from the API"), "{seen}");
    assert!(
        sent.elapsed() < Duration::from_secs(2),
        "{:?}",
        sent.elapsed()
    );
    assert!(seen.contains("event: events"), "{seen}");
    assert!(!seen.contains("Not a licence event"), "{seen}");
    assert!(!seen.contains("Before the page opened"), "{seen}");
    let data = seen.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let batch: Value = serde_json::from_str(data).unwrap();
    assert_eq!(batch[0]["action"], "license.hwid_reset");

    // A browser reconnecting says what it last got and is not sent it again.
    let last = seen.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
    let mut resumed = app
        .client
        .get(format!(
            "{}/api/live?action=license.*&after={after}",
            app.base
        ))
        .header("last-event-id", last)
        .send()
        .await
        .unwrap();
    app.ingest(json!([event("license.extended", "After the reconnect")]))
        .await;
    let seen = read_until(&mut resumed, "After the reconnect", Duration::from_secs(5)).await;
    assert!(seen.contains("After the reconnect"), "{seen}");
    assert!(!seen.contains("Fresh from the API"), "{seen}");
}

#[tokio::test]
async fn the_stream_refuses_strangers_and_ends_when_its_session_does() {
    let app = spawn_app().await;
    let status = app
        .anonymous()
        .get(format!("{}/api/live", app.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    let staff = app.session("staff@acme.io").await;
    let status = staff
        .get(format!("{}/api/live", app.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 403);

    let partner = app.session("partner@acme.io").await;
    let mut stream = partner
        .get(format!("{}/api/live", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let out = partner
        .post(format!("{}/api/auth/sign_out", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    // The server closes the stream on its next poll.
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream outlived its session");
}

#[tokio::test]
async fn a_refused_stream_answers_the_api_error_shape_and_is_recorded_as_a_denial() {
    let app = spawn_app().await;
    let staff = app.session("staff@acme.io").await;
    let refused = staff
        .get(format!("{}/api/live", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(
        body["error"]["message"],
        "your account may not read the log"
    );
    assert!(app
        .self_log()
        .await
        .iter()
        .any(|e| e.action == "access.denied" && e.actor.email.as_deref() == Some("staff@acme.io")));
}
