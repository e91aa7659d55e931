//! Every kind of filter, on both backends: the same rows, and the rows meant.

use crate::support::{backends, event};
use app::{
    model::{ActorType, EventFilter, Outcome, PageRequest, Severity},
    store::{NewEvent, TenantScope},
};
use serde_json::json;

/// Eight events, labelled by their minute (`req-N`), varied in every
/// column a filter reads and in the words a search finds.
fn batch() -> Vec<NewEvent> {
    let mut e: Vec<NewEvent> = [
        (
            "license.created",
            "alice",
            "Created licence KEY-0042 for Pro",
        ),
        (
            "license.hwid_reset",
            "bob",
            "Reset the HWID at the player's request",
        ),
        ("user.login", "carol", "Signed in"),
        ("balance.added", "alice", "Added 50.00 to the balance"),
        ("user.login.failed", "bob", "Wrong password"),
        ("license.deleted", "carol", "Deleted licence KEY-0099"),
        ("settings.updated", "dave", "Changed the webhook URL"),
        ("license.hwid_reset", "alice", "Hardware change reset"),
    ]
    .into_iter()
    .enumerate()
    .map(|(minute, (action, actor, description))| {
        let mut event = event(minute as i64, action, actor);
        event.description = description.to_string();
        event
    })
    .collect();
    e[0].metadata = Some(json!({ "plan": "Pro", "seats": 3 }));
    e[1].outcome = Outcome::Failure;
    e[1].ip = None;
    e[1].resource.as_mut().unwrap().name = Some("Gold licence".into());
    e[2].actor.kind = ActorType::Customer;
    e[2].resource = None;
    e[3].severity = Severity::Critical;
    e[3].metadata = Some(json!({ "note": "Manual top-up after a refund" }));
    e[4].outcome = Outcome::Denied;
    e[4].ip = Some("198.51.100.9".into());
    e[4].resource = None;
    e[6].actor.email = None;
    e[7].metadata = Some(json!({ "reason": "motherboard replaced" }));
    // The same actor id under a second name: a name matches only the
    // events that spell it.
    e[7].actor.name = Some("Alice Renamed".into());
    e
}

/// `(query, the minutes of the events it must return)`.
const CASES: &[(&str, &[i64])] = &[
    ("", &[0, 1, 2, 3, 4, 5, 6, 7]),
    ("action:license.*", &[0, 1, 5, 7]),
    ("action:license.* action:user.login", &[0, 1, 2, 5, 7]),
    ("action:user.*", &[2, 4]),
    ("-action:license.*", &[2, 3, 4, 6]),
    ("-outcome:success", &[1, 4]),
    ("outcome:failure", &[1]),
    ("severity:critical", &[3]),
    ("actor_type:customer", &[2]),
    ("-actor_type:staff", &[2]),
    ("actor:alice", &[0, 3, 7]),
    ("actor:bob@example.com", &[1, 4]),
    ("actor:\"carol name\"", &[2, 5]),
    ("actor:\"alice name\"", &[0, 3]),
    ("actor:\"Alice Renamed\"", &[7]),
    ("actor:nobody", &[]),
    ("actor:alice action:license.*", &[0, 7]),
    // Rows without the value are kept by an exclusion, not lost to NULL.
    ("-ip:203.0.113.7", &[1, 4]),
    ("-actor:dave", &[0, 1, 2, 3, 4, 5, 7]),
    ("-resource_type:license", &[2, 4]),
    ("ip:198.51.100.9", &[4]),
    ("resource_id:K-5", &[5]),
    ("category:license event_type:hwid_reset", &[1, 7]),
    ("hwid", &[1]),
    ("HWI", &[1]),
    // One or two letters are a whole word, not a prefix of "hwid".
    ("HW", &[]),
    ("hard", &[7]),
    ("licence", &[0, 1, 5]),
    ("\"the balance\"", &[3]),
    ("\"reset the\"", &[1]),
    ("refund", &[3]),
    ("motherboard repl", &[7]),
    ("alice", &[0, 3, 7]),
    ("key 0042", &[0]),
    ("gold", &[1]),
    ("reset -outcome:failure", &[7]),
    ("action:license.* reset", &[1, 7]),
    ("nothingmatchesthis", &[]),
];

#[tokio::test]
async fn every_filter_returns_the_same_rows_on_sqlite_and_postgres() {
    let mut answers = Vec::new();
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        store.append(tenant.id, &batch(), None).await.unwrap();
        let mut got = Vec::new();
        for (query, _) in CASES {
            let filter = EventFilter::parse_query(query).unwrap();
            let page = store
                .list_events(
                    &TenantScope::all_tenants(),
                    &filter,
                    &PageRequest::first(50),
                )
                .await
                .unwrap();
            let minutes: Vec<i64> = page
                .events
                .iter()
                .rev()
                .map(|e| e.request_id.as_deref().unwrap()[4..].parse().unwrap())
                .collect();
            got.push(minutes);
        }
        answers.push((store.backend(), got));
    }
    for (backend, got) in &answers {
        for ((query, want), minutes) in CASES.iter().zip(got) {
            assert_eq!(&minutes[..], *want, "{backend}: {query}");
        }
    }
}

#[tokio::test]
async fn a_text_search_pages_newest_first_without_gaps() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let events: Vec<NewEvent> = (0..25)
            .map(|i| {
                let mut e = event(i, "license.updated", "alice");
                e.description = if i % 2 == 0 {
                    format!("Renewed licence {i}")
                } else {
                    format!("Suspended licence {i}")
                };
                e
            })
            .collect();
        store.append(tenant.id, &events, None).await.unwrap();
        let filter = EventFilter::parse_query("renew").unwrap();
        let mut page = PageRequest::first(5);
        let mut seen = Vec::new();
        loop {
            let result = store
                .list_events(&TenantScope::all_tenants(), &filter, &page)
                .await
                .unwrap();
            seen.extend(result.events.iter().map(|e| e.occurred_at));
            match result.older {
                Some(cursor) => page.older_than = Some(cursor),
                None => break,
            }
        }
        assert_eq!(seen.len(), 13, "{}", store.backend());
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "{}", store.backend());
    }
}

/// Alternatives (an actor on three columns, several actions, every tenant)
/// are read as separate index ranges and merged: paging must still walk
/// each match once, newest first, and come back the same way.
#[tokio::test]
async fn a_filter_with_alternatives_pages_across_tenants_like_one_query() {
    for store in backends().await {
        let mut want = Vec::new();
        for (t, slug) in ["north", "south"].into_iter().enumerate() {
            let tenant = store.ensure_tenant(slug, slug).await.unwrap();
            let events: Vec<NewEvent> = (0..20)
                .map(|i| {
                    let minute = i * 2 + t as i64;
                    let action = ["a.one", "b.two", "c.three"][i as usize % 3];
                    let actor = if i % 4 == 0 { "bob" } else { "alice" };
                    if actor == "alice" && action != "c.three" {
                        want.push(minute);
                    }
                    event(minute, action, actor)
                })
                .collect();
            store.append(tenant.id, &events, None).await.unwrap();
        }
        want.sort_unstable_by(|a, b| b.cmp(a));
        // The actor by email, so only one of its three columns matches.
        let filter =
            EventFilter::parse_query("actor:alice@example.com action:a.one action:b.*").unwrap();
        let minute = |e: &app::model::Event| -> i64 {
            e.request_id.as_deref().unwrap()[4..].parse().unwrap()
        };
        let scope = TenantScope::all_tenants();
        let mut page = PageRequest::first(4);
        let mut pages = Vec::new();
        loop {
            let result = store.list_events(&scope, &filter, &page).await.unwrap();
            pages.push(result.events.iter().map(minute).collect::<Vec<_>>());
            match result.older {
                Some(cursor) => {
                    page = PageRequest {
                        older_than: Some(cursor),
                        ..PageRequest::first(4)
                    }
                }
                None => break,
            }
        }
        let seen: Vec<i64> = pages.concat();
        assert_eq!(seen, want, "{}", store.backend());
        // Back up one page from the last: the page before it again.
        let last = store.list_events(&scope, &filter, &page).await.unwrap();
        let back = PageRequest {
            older_than: None,
            newer_than: last.events.first().map(app::model::Cursor::of),
            limit: 4,
        };
        let previous = store.list_events(&scope, &filter, &back).await.unwrap();
        let previous: Vec<i64> = previous.events.iter().map(minute).collect();
        assert_eq!(previous, pages[pages.len() - 2], "{}", store.backend());
    }
}

/// SQLite reads a common word's matches in ingest order, chunk by chunk,
/// and stops once no earlier event can be newer than the page: events sent
/// late with old times, or early with times ahead of later ones, must still
/// land where their time puts them.
#[tokio::test]
async fn a_common_word_pages_by_time_whatever_order_events_arrived_in() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        // 3,000 matches in batches; every 7th event is backdated by days and
        // every 11th is ahead of its batch by an hour.
        let mut minutes = Vec::new();
        for batch in 0..6 {
            let events: Vec<NewEvent> = (0..500)
                .map(|i| {
                    let n = batch * 500 + i;
                    let mut minute = n * 2;
                    if n % 7 == 3 {
                        minute -= 5_000;
                    }
                    if n % 11 == 5 {
                        minute += 60;
                    }
                    minutes.push(minute);
                    let mut e = event(minute, "license.renewed", "alice");
                    e.description = format!("Renewed licence {n}");
                    e
                })
                .collect();
            store.append(tenant.id, &events, None).await.unwrap();
        }
        minutes.sort_unstable_by(|a, b| b.cmp(a));
        let filter = EventFilter::parse_query("renewed").unwrap();
        let scope = TenantScope::tenant(tenant.id);
        let mut page = PageRequest::first(200);
        let mut seen = Vec::new();
        for _ in 0..3 {
            let result = store.list_events(&scope, &filter, &page).await.unwrap();
            seen.extend(result.events.iter().map(|e| {
                e.request_id.as_deref().unwrap()[4..]
                    .parse::<i64>()
                    .unwrap()
            }));
            page.older_than = result.older;
        }
        assert_eq!(seen, minutes[..600].to_vec(), "{}", store.backend());
    }
}
