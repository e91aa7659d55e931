//! A viewer token's scope cannot be widened: whatever filter the viewer
//! sends, every page, single event and export stays inside the grant's
//! tenant, actor, resource and fixed filter. Checked as a property over
//! generated filters and grants, on both backends.

use crate::support::{backends, event};
use app::{
    auth::ViewerGrant,
    model::{Event, EventFilter, Outcome, PageRequest},
    store::{Store, TenantScope},
};
use proptest::{prelude::*, test_runner::TestRunner};
use std::{collections::HashSet, sync::Arc};

/// Two tenants; actors whose names are other actors' ids (a pin is on the
/// id alone); resources, outcomes and words to match.
async fn seed(store: &dyn Store) -> (i64, i64) {
    let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
    let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
    for (tenant, offset) in [(acme.id, 0), (globex.id, 1_000)] {
        let mut batch = Vec::new();
        for i in 0..30i64 {
            let actor = ["usr_1", "usr_2", "usr_3"][(i % 3) as usize];
            let action =
                ["license.created", "license.hwid_reset", "user.login"][(i % 4 % 3) as usize];
            let mut e = event(offset + i, action, actor);
            // usr_3 is named "usr_1": a name never passes for an id.
            if actor == "usr_3" {
                e.actor.name = Some("usr_1".into());
            }
            e.resource.as_mut().unwrap().id = format!("K-{}", i % 5);
            if i % 7 == 0 {
                e.outcome = Outcome::Denied;
                e.description = format!("refund refused {i}");
            }
            batch.push(e);
        }
        store.append(tenant, &batch, None).await.unwrap();
    }
    (acme.id, globex.id)
}

fn viewer_token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "actor:usr_1",
        "actor:usr_2",
        "actor:usr_3",
        "actor:usr_1@example.com",
        "-actor:usr_1",
        "tenant:globex",
        "tenant:acme",
        "-outcome:success",
        "outcome:denied",
        "action:license.*",
        "action:user.login",
        "-action:license.*",
        "resource_type:license",
        "resource_id:K-1",
        "-resource_id:K-2",
        "refund",
        "\"refund refused\"",
        "range:all",
        "occurred:2026-06-01..2026-06-02",
        "severity:info",
    ])
    .prop_map(str::to_string)
}

fn grant_of(tenant_id: i64) -> impl Strategy<Value = ViewerGrant> {
    (
        prop::option::of(prop::sample::select(vec!["usr_1", "usr_2", "usr_3"])),
        prop::option::of(prop::sample::select(vec!["K-0", "K-1", "K-4"])),
        prop::option::of(prop::sample::select(vec![
            "action:license.*",
            "-outcome:success",
            "refund",
            "actor:usr_2",
        ])),
    )
        .prop_map(move |(actor, resource, filter)| ViewerGrant {
            id: "01TEST".into(),
            tenant_id,
            tenant: "acme".into(),
            key: "testkey1".into(),
            actor: actor.map(str::to_string),
            resource: resource.map(|id| ("license".to_string(), id.to_string())),
            filter: filter.map(str::to_string),
            export: true,
            user: None,
            expires_at: i64::MAX,
        })
}

async fn ids(store: &dyn Store, scope: &TenantScope, filter: &EventFilter) -> Vec<Event> {
    store
        .bare_page(scope, filter, &PageRequest::first(500))
        .await
        .unwrap()
        .events
}

/// What the grant alone shows: the bound every narrowed read must stay in.
async fn check(
    store: &dyn Store,
    grant: &ViewerGrant,
    asked: EventFilter,
) -> Result<(), TestCaseError> {
    let scope = grant.scope();
    let allowed: HashSet<String> = ids(store, &scope, &grant.narrow(EventFilter::default()))
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    let asked_alone: HashSet<String> = ids(store, &scope, &asked)
        .await
        .into_iter()
        .map(|e| e.id)
        .collect();
    let narrowed = grant.narrow(asked);
    let shown = ids(store, &scope, &narrowed).await;
    for e in &shown {
        prop_assert_eq!(&e.tenant, "acme");
        if let Some(actor) = &grant.actor {
            prop_assert_eq!(&e.actor.id, actor);
        }
        if let Some((kind, id)) = &grant.resource {
            let r = e.resource.as_ref().unwrap();
            prop_assert_eq!((&r.kind, &r.id), (kind, id));
        }
        prop_assert!(allowed.contains(&e.id), "{} is outside the grant", e.id);
        prop_assert!(
            asked_alone.contains(&e.id),
            "{} is not what was asked",
            e.id
        );
    }
    // What both allow is all shown: narrowing is AND, nothing more.
    let both = allowed.intersection(&asked_alone).count();
    prop_assert_eq!(shown.len(), both);
    // The same bound for one event by id, and for an export page.
    for probe in allowed.iter().chain(asked_alone.iter()).take(6) {
        let one = store
            .get_event_matching(&scope, probe, &narrowed)
            .await
            .unwrap();
        prop_assert_eq!(
            one.is_some(),
            allowed.contains(probe) && asked_alone.contains(probe)
        );
    }
    let export = store
        .export_page(&scope, &narrowed, None, 500)
        .await
        .unwrap();
    let exported: Vec<String> = export.rows().map(|r| r.unwrap().id.to_string()).collect();
    prop_assert_eq!(exported.len(), both);
    prop_assert!(exported.iter().all(|id| allowed.contains(id)));
    Ok(())
}

#[test]
fn no_filter_a_viewer_sends_shows_anything_outside_their_tokens_grant() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stores: Vec<Arc<dyn Store>> = runtime.block_on(backends());
    for store in stores {
        let (acme, _) = runtime.block_on(seed(&*store));
        let mut runner = TestRunner::new(ProptestConfig::with_cases(48));
        let strategy = (grant_of(acme), prop::collection::vec(viewer_token(), 0..4));
        runner
            .run(&strategy, |(grant, tokens)| {
                let Ok(asked) = EventFilter::parse_query(&tokens.join(" ")) else {
                    return Ok(());
                };
                runtime.block_on(check(&*store, &grant, asked))
            })
            .unwrap_or_else(|e| panic!("{}: {e}", store.backend()));
    }
}
