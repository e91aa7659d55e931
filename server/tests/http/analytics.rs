//! The analytics page and its server function over HTTP.

use crate::support::{event, spawn_app, TestApp};
use serde_json::{json, Value};

async fn three_acme_events(app: &TestApp) {
    let mut failed = event("user.login.failed", "Wrong password for bob");
    failed["outcome"] = json!("failure");
    failed["category"] = json!("auth");
    failed["ip"] = json!("203.0.113.66");
    app.ingest(json!([
        event("license.created", "Issued KEY-1 to the reseller"),
        event("license.created", "Issued KEY-2"),
        failed,
    ]))
    .await;
}

/// The headline value labelled `label`.
fn headline<'a>(view: &'a Value, label: &str) -> &'a str {
    view["headlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["label"] == label)
        .and_then(|h| h["value"].as_str())
        .unwrap_or_else(|| panic!("no {label} in {view}"))
}

fn request(filter: Value) -> Value {
    json!({ "request": { "filter": filter, "bucket": null, "stack": null, "tz": "Europe/Berlin" } })
}

#[tokio::test]
async fn the_analytics_page_is_drawn_on_the_server_with_every_bar_linked_to_its_events() {
    let app = spawn_app().await;
    three_acme_events(&app).await;
    let (status, html) = app.get("/analytics?tenant=acme&range=7d&tz=UTC").await;
    assert_eq!(status, 200);
    for chart in ["activity", "auth", "event-types", "actions", "categories"] {
        assert!(
            html.contains(&format!("data-testid=\"chart-{chart}\"")),
            "{chart}: {html}"
        );
    }
    assert!(html.contains("<svg"), "{html}");
    // The event type bar links to the log narrowed to it, within the range counted.
    assert!(
        html.contains("<a href=\"/?tenant=acme&amp;event_type=created&amp;from="),
        "{html}"
    );
    assert!(html.contains("Show as table"));

    // The log page carries a sparkline of the same filter, linking here.
    let (_, html) = app.get("/?tenant=acme&range=7d").await;
    assert!(html.contains("data-testid=\"sparkline\""), "{html}");
    assert!(html.contains("3 events in range, per day"), "{html}");
    assert!(
        html.contains("href=\"/analytics?tenant=acme&amp;range=7d"),
        "{html}"
    );
}

#[tokio::test]
async fn the_counts_match_the_events_and_a_word_filter_is_counted_from_the_events_saying_so() {
    let app = spawn_app().await;
    three_acme_events(&app).await;
    let (status, view) = app
        .call(
            &app.client,
            "analytics",
            request(json!({ "tenant": "acme", "range": "7d" })),
        )
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(headline(&view, "Events"), "3");
    assert_eq!(headline(&view, "Failure rate"), "33.3%");
    assert_eq!(headline(&view, "Failed sign-ins"), "100.0%");
    assert_eq!(view["source_note"], Value::Null);
    assert_eq!(view["failing_ips"][0]["label"], "203.0.113.66");
    assert_eq!(view["tz"], "Europe/Berlin");

    let (_, view) = app
        .call(
            &app.client,
            "analytics",
            request(json!({ "tenant": "acme", "range": "7d", "text": "reseller" })),
        )
        .await;
    assert_eq!(headline(&view, "Events"), "1");
    assert!(view["source_note"]
        .as_str()
        .unwrap()
        .contains("searches words"));
    assert!(app
        .self_log()
        .await
        .iter()
        .any(|e| e.action == "log.analysed"));
}

#[tokio::test]
async fn a_partner_counts_only_their_own_tenant_whatever_the_request_names() {
    let app = spawn_app().await;
    three_acme_events(&app).await;
    let globex = app.session("partner@globex.io").await;
    for filter in [
        json!({ "range": "7d" }),
        json!({ "tenant": "acme", "range": "7d" }),
    ] {
        let (status, view) = app.call(&globex, "analytics", request(filter)).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!(headline(&view, "Events"), "0");
        assert_eq!(view["top_actors"], json!([]));
    }
    let acme = app.session("partner@acme.io").await;
    let (_, view) = app
        .call(&acme, "analytics", request(json!({ "range": "7d" })))
        .await;
    assert_eq!(headline(&view, "Events"), "3");
}
