//! Saved views: each member names filters and finds them again; nobody
//! else sees or deletes them.

use crate::support::spawn_app;
use serde_json::json;

#[tokio::test]
async fn a_saved_view_keeps_the_filter_as_a_link_for_its_owner_only() {
    let app = spawn_app().await;
    let filter = json!({ "is": { "actions": ["license.*"] }, "not": { "outcome": "success" }, "range": "7d" });
    let (status, saved) = app
        .call(
            &app.client,
            "views/save",
            json!({ "name": " Failed licence work ", "filter": filter }),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["name"], "Failed licence work");
    assert_eq!(
        saved["params"],
        "action=license.*&not_outcome=success&range=7d"
    );

    // Saving under the same name replaces it.
    let (_, again) = app
        .call(
            &app.client,
            "views/save",
            json!({ "name": "Failed licence work", "filter": { "range": "24h" } }),
        )
        .await;
    assert_eq!(again["id"], saved["id"]);
    let (_, views) = app.call(&app.client, "views/list", json!({})).await;
    assert_eq!(views.as_array().unwrap().len(), 1, "{views}");
    assert_eq!(views[0]["params"], "range=24h");
    let (_, html) = app.get("/").await;
    assert!(html.contains("Failed licence work"), "{html}");

    let auditor = app.session("auditor@test.io").await;
    let (_, theirs) = app.call(&auditor, "views/list", json!({})).await;
    assert_eq!(theirs, json!([]));
    let (status, _) = app
        .call(&auditor, "views/delete", json!({ "id": saved["id"] }))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .call(&app.client, "views/delete", json!({ "id": saved["id"] }))
        .await;
    assert_eq!(status, 200);
    let (_, views) = app.call(&app.client, "views/list", json!({})).await;
    assert_eq!(views, json!([]));
}

#[tokio::test]
async fn a_view_needs_a_name_of_sensible_length() {
    let app = spawn_app().await;
    for name in ["   ", &"x".repeat(61)] {
        let (status, body) = app
            .call(
                &app.client,
                "views/save",
                json!({ "name": name, "filter": {} }),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.to_string().contains("1 to 60 characters"), "{body}");
    }
}
