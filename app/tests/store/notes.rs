//! Comments and tags: appended beside events, never in them; read and
//! filtered within the tenant scope; gone with their event at retention.

use crate::support::{backends, event};
use app::{
    integrity::{run_retention, RetentionPolicy},
    model::{EventFilter, NoteKind, PageRequest},
    store::{NewEvent, NewNote, Store, TenantScope},
};

fn note(event_id: &str, kind: NoteKind, text: &str) -> NewNote {
    NewNote {
        event_id: event_id.to_string(),
        kind,
        text: text.to_string(),
        author_id: None,
        author: "admin@test.io".into(),
    }
}

async fn tagged(store: &dyn Store, scope: &TenantScope, query: &str) -> Vec<String> {
    let filter = EventFilter::parse_query(query).unwrap();
    let page = store
        .list_events(scope, &filter, &PageRequest::first(50))
        .await
        .unwrap();
    page.events.into_iter().map(|e| e.description).collect()
}

#[tokio::test]
async fn notes_are_kept_beside_the_event_which_still_verifies_unchanged() {
    for store in backends().await {
        let name = store.backend();
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let events = [
            event(0, "balance.added", "alice"),
            event(1, "balance.added", "bob"),
        ];
        store.append(acme.id, &events, None).await.unwrap();
        let id = events[0].id.clone();
        let all = TenantScope::all_tenants();
        let before = store.get_event(&all, &id).await.unwrap().unwrap();

        let first = store
            .add_note(&all, &note(&id, NoteKind::Tag, "player-request"))
            .await
            .unwrap()
            .unwrap();
        let again = store
            .add_note(&all, &note(&id, NoteKind::Tag, "player-request"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first, again, "{name}: a tag is added once");
        store
            .add_note(
                &all,
                &note(&id, NoteKind::Comment, "At the request of the player"),
            )
            .await
            .unwrap()
            .unwrap();

        let notes = store.notes(&all, &id).await.unwrap();
        let texts: Vec<(NoteKind, &str)> =
            notes.iter().map(|n| (n.kind, n.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (NoteKind::Tag, "player-request"),
                (NoteKind::Comment, "At the request of the player")
            ],
            "{name}"
        );
        assert_eq!(store.get_event(&all, &id).await.unwrap().unwrap(), before);
        let (signer, _) = app::store::Signer::generate();
        assert!(store
            .verify_chain(acme.id, &signer.public_key())
            .await
            .unwrap()
            .is_ok());

        let page = store
            .list_events(&all, &EventFilter::default(), &PageRequest::first(10))
            .await
            .unwrap();
        let listed = page.events.iter().find(|e| e.id == id).unwrap();
        assert_eq!(
            (listed.tags.clone(), listed.comments),
            (vec!["player-request".to_string()], 1)
        );
        assert_eq!(
            tagged(&*store, &all, "tag:player-request").await,
            ["alice did balance.added"]
        );
        assert_eq!(
            tagged(&*store, &all, "-tag:player-request").await,
            ["bob did balance.added"]
        );
    }
}

#[tokio::test]
async fn another_tenants_scope_can_neither_read_nor_annotate_an_event() {
    for store in backends().await {
        let name = store.backend();
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
        let events = [event(0, "balance.added", "alice")];
        store.append(acme.id, &events, None).await.unwrap();
        let id = events[0].id.clone();
        let own = TenantScope::tenant(acme.id);
        store
            .add_note(&own, &note(&id, NoteKind::Tag, "vip"))
            .await
            .unwrap()
            .unwrap();
        let foreign = TenantScope::tenant(globex.id);
        let refused = store
            .add_note(&foreign, &note(&id, NoteKind::Comment, "sneaky"))
            .await
            .unwrap();
        assert!(refused.is_none(), "{name}");
        assert!(
            store.notes(&foreign, &id).await.unwrap().is_empty(),
            "{name}"
        );
        let summaries = store
            .note_summaries(&foreign, std::slice::from_ref(&id))
            .await
            .unwrap();
        assert!(summaries.is_empty(), "{name}");
        assert!(
            tagged(&*store, &foreign, "tag:vip").await.is_empty(),
            "{name}"
        );
        assert_eq!(store.notes(&own, &id).await.unwrap().len(), 1, "{name}");
    }
}

#[tokio::test]
async fn retention_takes_an_events_notes_with_it() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let events = [event(0, "balance.added", "alice")];
        store.append(acme.id, &events, None).await.unwrap();
        let all = TenantScope::all_tenants();
        store
            .add_note(&all, &note(&events[0].id, NoteKind::Comment, "checked"))
            .await
            .unwrap()
            .unwrap();
        let (signer, _) = app::store::Signer::generate();
        let far_future = chrono::Utc::now().timestamp_micros() + 400 * 86_400_000_000;
        let policy = RetentionPolicy {
            default_days: 1,
            batch: 100,
        };
        run_retention(store.as_ref(), &signer, policy, far_future, None)
            .await
            .unwrap();
        assert!(store
            .get_event(&all, &events[0].id)
            .await
            .unwrap()
            .is_none());
        assert!(store.notes(&all, &events[0].id).await.unwrap().is_empty());
    }
}

/// A tag alone is read from the notes' own time index, a page at a time:
/// paging must still give every tagged event once, newest first, in each
/// tenant's scope and across tenants, however the events were sent.
#[tokio::test]
async fn a_tag_on_many_events_pages_newest_first_like_any_filter() {
    for store in backends().await {
        let all = TenantScope::all_tenants();
        let mut want = Vec::new();
        for (t, slug) in ["north", "south"].into_iter().enumerate() {
            let tenant = store.ensure_tenant(slug, slug).await.unwrap();
            // Sent newest first, so chain order runs against time order.
            let events: Vec<NewEvent> = (0..40)
                .rev()
                .map(|i| event(i * 2 + t as i64, "license.paused", "alice"))
                .collect();
            store.append(tenant.id, &events, None).await.unwrap();
            for (i, e) in events.iter().enumerate() {
                if i % 3 != 1 {
                    store
                        .add_note(&all, &note(&e.id, NoteKind::Tag, "review"))
                        .await
                        .unwrap()
                        .unwrap();
                    want.push(e.occurred_at);
                }
            }
        }
        want.sort_unstable_by(|a, b| b.cmp(a));
        let filter = EventFilter::parse_query("tag:review").unwrap();
        let mut page = PageRequest::first(7);
        let mut seen = Vec::new();
        loop {
            let result = store.list_events(&all, &filter, &page).await.unwrap();
            assert!(result
                .events
                .iter()
                .all(|e| e.tags == vec!["review".to_string()]));
            seen.extend(result.events.iter().map(|e| e.occurred_at));
            match result.older {
                Some(cursor) => page.older_than = Some(cursor),
                None => break,
            }
        }
        assert_eq!(seen, want, "{}", store.backend());
    }
}

/// Words and a tag together: the words are matched first (on SQLite, in
/// chunks of the words' index), so the tag must be checked on every one of
/// those events, not only on the newest tagged ones.
#[tokio::test]
async fn words_and_a_tag_find_older_tagged_events_with_the_words() {
    for store in backends().await {
        let all = TenantScope::all_tenants();
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let events: Vec<NewEvent> = (0..60)
            .map(|i| {
                let mut e = event(i, "license.paused", "alice");
                if i < 10 {
                    e.description = format!("Found the needle {i}");
                }
                e
            })
            .collect();
        store.append(tenant.id, &events, None).await.unwrap();
        for e in &events {
            store
                .add_note(&all, &note(&e.id, NoteKind::Tag, "checked"))
                .await
                .unwrap();
        }
        let filter = EventFilter::parse_query("needle tag:checked").unwrap();
        let page = store
            .list_events(&all, &filter, &PageRequest::first(5))
            .await
            .unwrap();
        let found: Vec<String> = page.events.iter().map(|e| e.description.clone()).collect();
        let want: Vec<String> = (5..10)
            .rev()
            .map(|i| format!("Found the needle {i}"))
            .collect();
        assert_eq!(found, want, "{}", store.backend());
    }
}
