//! The details view's one-click links and a resource's history page.

use crate::support::{event, spawn_app};
use serde_json::{json, Value};

#[tokio::test]
async fn the_details_page_links_to_the_log_narrowed_to_its_actor_action_ip_and_resource() {
    let app = spawn_app().await;
    let id = app.ingest_one(event("license.hwid_reset", "reset")).await;
    let (_, html) = app.get(&format!("/events/{id}")).await;
    for link in [
        "/?tenant=acme&amp;actor=u-7&amp;range=all",
        "/?tenant=acme&amp;action=license.hwid_reset&amp;range=all",
        "/?tenant=acme&amp;ip=198.51.100.4&amp;range=all",
        "/resource?tenant=acme&amp;type=license&amp;id=KEY-0042",
    ] {
        assert!(html.contains(link), "{link} missing: {html}");
    }
    assert!(html.contains("Raw JSON"), "{html}");
}

#[tokio::test]
async fn a_resource_history_lists_every_event_about_it_at_any_age_with_what_changed() {
    let app = spawn_app().await;
    let mut old = event("license.created", "Issued the key long ago");
    old["occurred_at"] = json!("2024-02-01T10:00:00Z");
    old["before"] = Value::Null;
    old["after"] = json!({ "plan": "basic" });
    let mut other = event("license.created", "Another key entirely");
    other["resource"]["id"] = json!("KEY-0099");
    app.ingest(json!([
        old,
        event("license.hwid_reset", "Moved to a new machine"),
        other
    ]))
    .await;
    let path = "/resource?tenant=acme&type=license&id=KEY-0042";
    let (status, html) = app.get(path).await;
    assert_eq!(status, 200);
    assert!(html.contains("Issued the key long ago"), "{html}");
    assert!(html.contains("Moved to a new machine"), "{html}");
    assert!(!html.contains("Another key entirely"), "{html}");
    assert!(html.contains("hwid: 9F2A-11C0 → 77BE-0C1D"), "{html}");
    assert!(html.contains("plan: — → basic"), "{html}");
    assert!(html.contains("2 events shown"), "{html}");

    // Another tenant's partner editing the URL sees none of it.
    let globex = app.session("partner@globex.io").await;
    let html = app.get_as(&globex, path).await.1;
    assert!(!html.contains("Moved to a new machine"), "{html}");
}

#[tokio::test]
async fn a_history_without_a_resource_says_what_it_needs() {
    let app = spawn_app().await;
    let (_, html) = app.get("/resource?type=license").await;
    assert!(html.contains("needs its type and id"), "{html}");
}
