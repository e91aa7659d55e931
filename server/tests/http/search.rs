//! The log's filters over HTTP: the query bar, the URL and refusals.

use crate::support::{event, spawn_app, TestApp};
use serde_json::json;

async fn three_events(app: &TestApp) {
    let mut failed = event("license.deleted", "Could not delete KEY-2");
    failed["outcome"] = json!("failure");
    app.ingest(json!([
        event("license.created", "Issued KEY-1 to the reseller"),
        event("user.login", "Signed in from Berlin"),
        failed,
    ]))
    .await;
}

fn bar_url(query: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    format!("/?bar={encoded}")
}

#[tokio::test]
async fn the_log_page_reads_a_query_bar_line_and_shows_it_back_in_the_bar() {
    let app = spawn_app().await;
    three_events(&app).await;
    let (status, html) = app
        .get(&bar_url("action:license.* -outcome:failure resell"))
        .await;
    assert_eq!(status, 200);
    assert!(html.contains("Issued KEY-1 to the reseller"), "{html}");
    assert!(!html.contains("Signed in from Berlin"));
    assert!(!html.contains("Could not delete KEY-2"));
    // The bar shows the filter in its own words, with the default range.
    assert!(
        html.contains("action:license.* -outcome:failure range:30d resell"),
        "{html}"
    );
}

#[tokio::test]
async fn a_malformed_query_says_where_and_why_and_runs_nothing() {
    let app = spawn_app().await;
    three_events(&app).await;
    let (_, html) = app.get(&bar_url("action:license.* outcome:ok")).await;
    assert!(html.contains("at character 26"), "{html}");
    assert!(html.contains("success, failure, denied"), "{html}");
    assert!(!html.contains("Issued KEY-1"), "{html}");
}

#[tokio::test]
async fn the_list_function_takes_exclusions_and_text_and_refuses_unknown_fields() {
    let app = spawn_app().await;
    three_events(&app).await;
    let page = json!({ "older_than": null, "newer_than": null, "limit": 50 });
    let filter = json!({
        "is": { "actions": ["license.*"] },
        "not": { "outcome": "failure" },
        "text": "reseller",
    });
    let (status, body) = app
        .call(
            &app.client,
            "events/list",
            json!({ "filter": filter, "page": page }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let events = body["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{body}");
    assert_eq!(events[0]["action"], "license.created");
    // A misspelt field would otherwise be ignored and widen the search.
    let (status, body) = app
        .call(
            &app.client,
            "events/list",
            json!({ "filter": { "action": "license.*" }, "page": page }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("unknown field"), "{body}");
}

#[tokio::test]
async fn actor_suggestions_come_from_recent_events_of_the_callers_tenants_only() {
    let app = spawn_app().await;
    three_events(&app).await;
    let mut theirs = event("license.created", "globex work");
    theirs["actor"] =
        json!({ "id": "g-1", "name": "Alina Globex", "email": "alina@globex.io", "type": "staff" });
    app.append_to("globex", theirs).await;
    let partner = app.session("partner@acme.io").await;
    let (status, found) = app
        .call(&partner, "events/actors", json!({ "typed": "ALI" }))
        .await;
    assert_eq!(status, 200, "{found}");
    let emails: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["alice@acme.io"], "{found}");
    let (_, everyone) = app
        .call(&app.client, "events/actors", json!({ "typed": "ali" }))
        .await;
    assert_eq!(everyone.as_array().unwrap().len(), 2, "{everyone}");
    let (_, none) = app
        .call(&app.client, "events/actors", json!({ "typed": " " }))
        .await;
    assert_eq!(none, json!([]));
}
