//! Comments and tags over HTTP: who may add them, where they show, and that
//! adding them is itself in Logbook's own log.

use crate::support::{event, spawn_app, TestApp};
use serde_json::json;

async fn one_event(app: &TestApp) -> String {
    app.ingest_one(event("balance.added", "Added 50 to the balance"))
        .await
}

#[tokio::test]
async fn a_partner_comments_and_tags_their_own_entry_and_both_show_in_the_table() {
    let app = spawn_app().await;
    let id = one_event(&app).await;
    let partner = app.session("partner@acme.io").await;
    let (status, note) = app
        .call(
            &partner,
            "notes/comment",
            json!({ "event_id": id, "text": "At the request of the player" }),
        )
        .await;
    assert_eq!(status, 200, "{note}");
    assert_eq!(note["author"], "partner@acme.io");
    let (status, _) = app
        .call(
            &partner,
            "notes/tag",
            json!({ "event_id": id, "tag": "Player-Request" }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, notes) = app
        .call(&partner, "notes/list", json!({ "event_id": id }))
        .await;
    let texts: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["At the request of the player", "player-request"]);

    let page = json!({ "older_than": null, "newer_than": null, "limit": 10 });
    let (_, listed) = app
        .call(
            &partner,
            "events/list",
            json!({ "filter": { "is": { "tag": "player-request" } }, "page": page }),
        )
        .await;
    let events = listed["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{listed}");
    assert_eq!(events[0]["tags"], json!(["player-request"]));
    assert_eq!(events[0]["comments"], 1);
    let (_, html) = app.get("/?tag=player-request").await;
    assert!(html.contains("class=\"tag\""), "{html}");
    assert!(html.contains("Added 50 to the balance"), "{html}");

    let log = app.self_log().await;
    let commented = log.iter().find(|e| e.action == "event.commented").unwrap();
    assert_eq!(commented.actor.email.as_deref(), Some("partner@acme.io"));
    assert_eq!(commented.resource.as_ref().unwrap().id, id);
    assert!(log.iter().any(|e| e.action == "event.tagged"));
}

#[tokio::test]
async fn another_tenants_partner_gets_404_and_bad_notes_get_400_with_the_reason() {
    let app = spawn_app().await;
    let id = one_event(&app).await;
    let globex = app.session("partner@globex.io").await;
    let (status, _) = app
        .call(
            &globex,
            "notes/comment",
            json!({ "event_id": id, "text": "mine now" }),
        )
        .await;
    assert_eq!(status, 404);
    let (_, notes) = app
        .call(&globex, "notes/list", json!({ "event_id": id }))
        .await;
    assert_eq!(notes, json!([]));
    let (status, body) = app
        .call(
            &app.client,
            "notes/tag",
            json!({ "event_id": id, "tag": "two words" }),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("no spaces"), "{body}");
    let (status, _) = app
        .call(
            &app.client,
            "notes/comment",
            json!({ "event_id": id, "text": "   " }),
        )
        .await;
    assert_eq!(status, 400);
    let (_, notes) = app
        .call(&app.client, "notes/list", json!({ "event_id": id }))
        .await;
    assert_eq!(notes, json!([]), "nothing was stored");
}
