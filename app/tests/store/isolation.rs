//! Tenant isolation as a property: whatever a partner asks for, in whatever
//! combination of filter and page, no row of another tenant comes back.

use crate::support::{backends, event};
use app::{
    model::{Cursor, Event, EventFilter, Outcome, PageRequest, Permissions, Role},
    store::{Member, NewAccount, Store, TenantScope},
};
use chrono::Duration;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

const ACTIONS: &[&str] = &[
    "license.created",
    "license.deleted",
    "balance.added",
    "user.login",
    "user.login.failed",
];
const ACTORS: &[&str] = &["alice", "bob", "carol"];

/// A partner of `tenant`, as the store hands it to a signed-in request.
async fn partner(store: &dyn Store, email: &str, tenant_id: i64) -> Member {
    let id = store
        .create_account(&NewAccount {
            email: email.into(),
            name: email.into(),
            role: Role::Partner,
            tenant_id: Some(tenant_id),
            permissions: Permissions::new(Role::Partner.ceiling().iter().copied()),
            password_hash: "unused".into(),
            created_by: None,
        })
        .await
        .unwrap();
    store.member(id).await.unwrap().expect("active member")
}

async fn seed(store: &dyn Store, tenant_id: i64, rng: &mut StdRng) {
    // The same actors, actions and resources in both tenants, so every
    // filter matches rows on both sides.
    let events: Vec<_> = (0..200)
        .map(|i| {
            let mut e = event(
                i * 7,
                ACTIONS.choose(rng).unwrap(),
                ACTORS.choose(rng).unwrap(),
            );
            if rng.gen_bool(0.3) {
                e.outcome = Outcome::Failure;
            }
            e.resource.as_mut().unwrap().id = format!("K-{}", i % 5);
            e
        })
        .collect();
    store.append(tenant_id, &events, None).await.unwrap();
}

fn random_filter(rng: &mut StdRng, all: &[Event]) -> EventFilter {
    let pick = |rng: &mut StdRng, p: f64| rng.gen_bool(p);
    let mut f = EventFilter::default();
    if pick(rng, 0.4) {
        f.tenant = Some(
            ["acme", "globex", "logbook"]
                .choose(rng)
                .unwrap()
                .to_string(),
        );
    }
    if pick(rng, 0.3) {
        let actor = ACTORS.choose(rng).unwrap();
        f.is.actor = Some(if pick(rng, 0.5) {
            format!("{actor}@example.com")
        } else {
            actor.to_string()
        });
    }
    if pick(rng, 0.3) {
        f.is.actions = vec![if pick(rng, 0.5) {
            "license.*".into()
        } else {
            ACTIONS.choose(rng).unwrap().to_string()
        }];
    }
    if pick(rng, 0.2) {
        f.not.outcome = Some(*[Outcome::Success, Outcome::Failure].choose(rng).unwrap());
    }
    if pick(rng, 0.2) {
        f.is.resource_type = Some("license".into());
        f.is.resource_id = Some(format!("K-{}", rng.gen_range(0..5)));
    }
    if pick(rng, 0.1) {
        f.is.ip = Some("203.0.113.7".into());
    }
    if pick(rng, 0.3) {
        let at = all.choose(rng).unwrap().occurred_at;
        f.from = Some(at - Duration::hours(rng.gen_range(0..48)));
        if pick(rng, 0.5) {
            f.to = Some(at + Duration::hours(rng.gen_range(1..48)));
        }
    }
    f
}

fn random_page(rng: &mut StdRng, all: &[Event]) -> PageRequest {
    // Cursors may come from either tenant's rows: a crafted cursor must not leak.
    let cursor = |rng: &mut StdRng| Some(Cursor::of(all.choose(rng).unwrap()));
    let mut page = PageRequest::first(rng.gen_range(1..60));
    match rng.gen_range(0..3) {
        0 => {}
        1 => page.older_than = cursor(rng),
        _ => page.newer_than = cursor(rng),
    }
    page
}

#[tokio::test]
async fn a_thousand_random_partner_requests_never_return_another_tenants_rows() {
    for store in backends().await {
        let mut rng = StdRng::seed_from_u64(20261122);
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
        seed(&*store, acme.id, &mut rng).await;
        seed(&*store, globex.id, &mut rng).await;
        let all = store
            .list_events(
                &TenantScope::all_tenants(),
                &EventFilter::default(),
                &PageRequest::first(500),
            )
            .await
            .unwrap()
            .events;
        assert_eq!(all.len(), 400);
        let partners = [
            (partner(&*store, "p@acme.io", acme.id).await, "acme"),
            (partner(&*store, "p@globex.io", globex.id).await, "globex"),
        ];
        let (mut rows_seen, mut foreign_lookups) = (0usize, 0usize);
        for _ in 0..1_000 {
            let (member, own) = partners.choose(&mut rng).unwrap();
            let scope = member.scope();
            let filter = random_filter(&mut rng, &all);
            let page = random_page(&mut rng, &all);
            let result = store.list_events(&scope, &filter, &page).await.unwrap();
            rows_seen += result.events.len();
            assert!(
                result.events.iter().all(|e| e.tenant == *own),
                "{} leaked rows to {own}: {filter:?} {page:?}",
                store.backend()
            );
            let probe = all.choose(&mut rng).unwrap();
            let found = store.get_event(&scope, &probe.id).await.unwrap();
            if probe.tenant != *own {
                foreign_lookups += 1;
                assert!(
                    found.is_none(),
                    "{} leaked {} to {own}",
                    store.backend(),
                    probe.id
                );
            } else {
                assert!(found.is_some());
            }
        }
        // Not vacuous: partners did see plenty of their own rows.
        assert!(rows_seen > 5_000, "{rows_seen}");
        assert!(foreign_lookups > 300, "{foreign_lookups}");
    }
}

#[tokio::test]
async fn staff_and_customer_members_read_no_tenant_at_all() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        store
            .append(acme.id, &[event(0, "license.created", "alice")], None)
            .await
            .unwrap();
        for role in [Role::Staff, Role::Customer] {
            let id = store
                .create_account(&NewAccount {
                    email: format!("{role}@acme.io"),
                    name: "x".into(),
                    role,
                    tenant_id: Some(acme.id),
                    permissions: Permissions::new([app::model::Permission::ViewLogs]),
                    password_hash: "unused".into(),
                    created_by: None,
                })
                .await
                .unwrap();
            let member = store.member(id).await.unwrap().unwrap();
            let scope = member.scope();
            let page = store
                .list_events(&scope, &EventFilter::default(), &PageRequest::first(50))
                .await
                .unwrap();
            assert!(page.events.is_empty(), "{role} on {}", store.backend());
            assert!(store.list_tenants(&scope).await.unwrap().is_empty());
            assert!(!member.can(app::model::Permission::ViewLogs));
        }
    }
}
