//! The read API: pages of a key's tenant in the query-bar language, one
//! event by id, scopes, and what the own log records of it.

use crate::support::{event, spawn_app, TestApp};
use app::{
    model::{EventFilter, KeyScopes, PageRequest},
    store::{NewApiKey, TenantScope},
};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// `GET /api/v1/events?<query>` with the acme key: status and JSON body.
async fn read(app: &TestApp, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .anonymous()
        .get(format!("{}/api/v1/events", app.base))
        .query(query)
        .bearer_auth(&app.key)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn ids(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap_or_else(|| panic!("no events in {page}"))
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn occurred(page: &Value) -> Vec<chrono::DateTime<chrono::Utc>> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// `n` events a second apart, oldest first, ending a minute ago.
fn batch(n: usize, description: &str) -> Value {
    let start = chrono::Utc::now() - chrono::Duration::seconds(60 + n as i64);
    (0..n)
        .map(|i| {
            let mut e = event("license.created", &format!("{description} {i}"));
            e["occurred_at"] = json!((start + chrono::Duration::seconds(i as i64)).to_rfc3339());
            e
        })
        .collect()
}

#[tokio::test]
async fn pages_follow_the_cursor_newest_first_through_every_event_once_while_new_ones_arrive() {
    let app = spawn_app().await;
    assert_eq!(app.ingest(batch(25, "early")).await.status(), 200);
    app.append_to("globex", event("license.created", "globex secret"))
        .await;
    let (status, first) = read(&app, &[("limit", "10")]).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(ids(&first).len(), 10);
    // Newer events arrive between pages: they are not on later pages, and
    // nothing already read shifts onto them.
    let late = app.ingest_one(event("license.created", "late")).await;
    let mut seen = ids(&first);
    let mut times = occurred(&first);
    let mut cursor = first["next_cursor"].as_str().unwrap().to_string();
    let mut pages = 1;
    loop {
        let (status, page) = read(&app, &[("limit", "10"), ("cursor", &cursor)]).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(ids(&page));
        times.extend(occurred(&page));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert!(!seen.contains(&late));
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 25, "each event once: {seen:?}");
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
    let (_, all) = read(&app, &[("limit", "500")]).await;
    assert!(!all.to_string().contains("globex secret"));
    assert_eq!(all["next_cursor"], Value::Null);
}

#[tokio::test]
async fn a_query_selects_exactly_what_the_table_shows_for_it() {
    let app = spawn_app().await;
    let mut refused = event("license.hwid_reset", "reset refused for KEY-0042");
    refused["outcome"] = json!("denied");
    let mut other = event("user.login", "signed in from the office");
    other["actor"]["id"] = json!("usr_9");
    app.ingest(json!([
        refused,
        other,
        event("license.hwid_reset", "reset done"),
        event("license.created", "created KEY-7")
    ]))
    .await;
    let acme = app.store.tenant_by_slug("acme").await.unwrap().unwrap();
    for q in [
        "action:license.* -outcome:success",
        "actor:usr_9",
        "\"reset done\"",
        "KEY-0042",
        "",
        "range:24h action:license.hwid_reset",
    ] {
        let (status, page) = read(&app, &[("q", q)]).await;
        assert_eq!(status, 200, "{q}: {page}");
        let filter = EventFilter::parse_query(q).unwrap();
        let table = app
            .store
            .list_events(
                &TenantScope::tenant(acme.id),
                &filter,
                &PageRequest::first(100),
            )
            .await
            .unwrap();
        let expected: Vec<String> = table.events.iter().map(|e| e.id.clone()).collect();
        assert!(!expected.is_empty(), "{q} should match something");
        assert_eq!(ids(&page), expected, "{q}");
    }
}

#[tokio::test]
async fn each_event_reads_as_the_same_object_a_json_export_writes() {
    let app = spawn_app().await;
    let mut full = event("license.hwid_reset", "every field");
    full["targets"] = json!([{ "type": "device", "id": "D-1" }]);
    full["metadata"] = json!({ "ticket": 881, "nested": { "a": [1, 2] } });
    full["request_id"] = json!("req-1");
    full["user_agent"] = json!("curl/8");
    let id = app.ingest_one(full).await;
    app.ingest_one(json!({ "action": "user.login", "actor": { "id": "u-1" } }))
        .await;
    let export: Vec<Value> = app
        .get_with_key("/api/v1/events/export?format=ndjson&range=all")
        .await
        .text()
        .await
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let (_, page) = read(&app, &[]).await;
    assert_eq!(page["events"], Value::Array(export.clone()));
    let one = app.get_with_key(&format!("/api/v1/events/{id}")).await;
    assert_eq!(one.status(), 200);
    assert_eq!(one.headers()["content-type"], "application/json");
    let one: Value = one.json().await.unwrap();
    let exported = export.iter().find(|e| e["id"] == id.as_str()).unwrap();
    assert_eq!(&one, exported);
    assert_eq!(one["targets"][0]["id"], "D-1");
    assert_eq!(one["metadata"]["nested"]["a"][1], 2);
}

#[tokio::test]
async fn another_tenants_event_is_not_found_by_id() {
    let app = spawn_app().await;
    let theirs = app
        .append_to("globex", event("license.created", "globex secret"))
        .await;
    for id in [theirs.as_str(), "01NOPE"] {
        let response = app.get_with_key(&format!("/api/v1/events/{id}")).await;
        assert_eq!(response.status(), 404, "{id}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(!body.to_string().contains("globex secret"));
    }
}

#[tokio::test]
async fn a_bad_query_limit_cursor_or_parameter_is_a_400_that_says_which_and_why() {
    let app = spawn_app().await;
    app.ingest(batch(3, "x")).await;
    let long = "a".repeat(4097);
    for (query, says) in [
        (vec![("q", "outcome:maybe")], "q:"),
        (
            vec![("q", "range:24h occurred:>=2026-01-01")],
            "one range or dates",
        ),
        (vec![("q", long.as_str())], "at most 4096"),
        (vec![("limit", "0")], "limit"),
        (vec![("limit", "501")], "limit"),
        (vec![("limit", "ten")], "limit"),
        (vec![("cursor", "bm90IGEgY3Vyc29y")], "next_cursor"),
        (vec![("cursor", "!!")], "next_cursor"),
        (vec![("action", "license.*")], "unknown parameter 'action'"),
        (vec![("q", "a"), ("q", "b")], "given twice"),
    ] {
        let (status, body) = read(&app, &query).await;
        assert_eq!(status, 400, "{query:?}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{query:?}: {message}");
    }
}

#[tokio::test]
async fn a_key_without_the_read_scope_is_refused_naming_the_scope() {
    let app = spawn_app().await;
    let acme = app.store.tenant_by_slug("acme").await.unwrap().unwrap();
    let key = app::auth::keys::generate();
    app.store
        .insert_api_key(&NewApiKey {
            tenant_id: acme.id,
            prefix: key.prefix,
            secret_hash: key.secret_hash,
            name: "ingest and export".into(),
            created_by: None,
            scopes: KeyScopes::INGEST.with(app::model::KeyScope::Export),
        })
        .await
        .unwrap();
    let id = app.ingest_one(event("license.created", "x")).await;
    for path in ["/api/v1/events".to_string(), format!("/api/v1/events/{id}")] {
        let response = app
            .anonymous()
            .get(format!("{}{path}", app.base))
            .bearer_auth(&key.plaintext)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("'read' scope"),
            "{body}"
        );
    }
    let anonymous = app
        .anonymous()
        .get(format!("{}/api/v1/events", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_query_is_recorded_once_in_the_own_log_and_paging_on_is_not() {
    let app = spawn_app().await;
    app.ingest(batch(5, "x")).await;
    let (_, first) = read(&app, &[("q", "action:license.*"), ("limit", "2")]).await;
    let cursor = first["next_cursor"].as_str().unwrap();
    read(
        &app,
        &[
            ("q", "action:license.*"),
            ("limit", "2"),
            ("cursor", cursor),
        ],
    )
    .await;
    // The record is written just after the answer.
    let searches = || async {
        app.self_log()
            .await
            .into_iter()
            .filter(|e| e.action == "log.searched")
            .collect::<Vec<_>>()
    };
    for _ in 0..50 {
        if !searches().await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let searches = searches().await;
    assert_eq!(searches.len(), 1, "{searches:?}");
    let search = &searches[0];
    assert!(
        search.actor.id.starts_with("api_key:"),
        "{:?}",
        search.actor
    );
    let metadata = search.metadata.as_ref().unwrap();
    assert_eq!(metadata["tenant"], "acme");
    assert_eq!(metadata["query"], "action:license.*");
}
