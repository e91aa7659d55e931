//! Times a visitor or a sender names are bounded before anything counts,
//! charts or subtracts them: no date takes the server down.

use crate::support::{event, spawn_app};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn ingest_refuses_events_from_before_the_configured_earliest_date() {
    let app = spawn_app().await;
    let mut ancient = event("user.login", "from the stone age");
    ancient["occurred_at"] = json!("-100000-01-01T00:00:00Z");
    let mut old = event("user.login", "last millennium");
    old["occurred_at"] = json!("1999-12-31T23:59:59Z");
    let mut fine = event("user.login", "this millennium");
    fine["occurred_at"] = json!("2000-01-01T00:00:00Z");
    let body: serde_json::Value = app
        .ingest(json!([ancient, old, fine]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["accepted"], 1, "{body}");
    for i in 0..2 {
        let error = body["results"][i]["error"].as_str().unwrap();
        assert!(
            error.contains("the earliest this server accepts"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn analytics_and_the_sparkline_for_any_date_answer_quickly_with_a_few_hundred_bars() {
    let app = spawn_app().await;
    // The oldest event a deployment can hold: "all time" spans 56 years.
    let tenant = app.store.tenant_by_slug("acme").await.unwrap().unwrap();
    let rules = server::ingest::Rules {
        earliest: app::model::time_window::EARLIEST,
        ..Default::default()
    };
    let mut wire = event("user.login", "at the epoch");
    wire["occurred_at"] = json!("1970-01-01T00:00:00Z");
    let old = server::ingest::validate(
        serde_json::from_value(wire).unwrap(),
        "acme",
        ulid::Ulid::new().to_string(),
        chrono::Utc::now(),
        &rules,
    )
    .unwrap();
    app.store.append(tenant.id, &[old], None).await.unwrap();
    app.ingest_one(event("user.login", "today")).await;
    let partner = app.session("partner@acme.io").await;
    for path in [
        "/analytics?from=1000-01-01",
        "/analytics?from=-100000-01-01&bucket=hour",
        "/analytics?from=1000-01-01&to=%2B262142-12-31&bucket=day",
        "/analytics?range=all&bucket=hour",
        "/?from=-100000-01-01",
    ] {
        let started = Instant::now();
        let (status, html) = app.get_as(&partner, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} took {:?}",
            started.elapsed()
        );
        assert!(html.len() < 1_500_000, "{path}: {} bytes", html.len());
    }
    for from in ["-100000-01-01T00:00:00Z", "+262142-12-31T00:00:00Z"] {
        let (status, body) = app
            .call(
                &partner,
                "analytics/sparkline",
                json!({ "filter": { "from": from } }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let bars = body["svg"].as_str().unwrap().matches("<rect").count();
        assert!(bars < 1_000, "{bars} bars");
    }
    let (status, body) = app
        .call(
            &partner,
            "analytics",
            json!({ "request": { "filter": { "from": "-100000-01-01T00:00:00Z" }, "bucket": "hour", "stack": null, "tz": null } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["bucket"], "year", "{}", body["bucket"]);
}
