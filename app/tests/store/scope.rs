//! Scopes and filters: a tenant sees only its rows; filters narrow exactly.

use crate::support::{backends, base_time, event};
use app::{
    model::{EventFilter, Outcome, PageRequest},
    store::TenantScope,
};
use chrono::Duration;

#[tokio::test]
async fn a_tenant_scope_never_returns_another_tenants_rows() {
    for store in backends().await {
        let acme = store.ensure_tenant("acme", "Acme").await.unwrap();
        let globex = store.ensure_tenant("globex", "Globex").await.unwrap();
        let theirs = event(1, "license.created", "mallory");
        store
            .append(acme.id, &[event(0, "license.created", "alice")], None)
            .await
            .unwrap();
        store
            .append(globex.id, std::slice::from_ref(&theirs), None)
            .await
            .unwrap();

        let scope = TenantScope::tenant(acme.id);
        // Even asking for the other tenant by name yields nothing.
        let named = EventFilter {
            tenant: Some("globex".into()),
            ..Default::default()
        };
        let page = store
            .list_events(&scope, &named, &PageRequest::first(50))
            .await
            .unwrap();
        assert!(page.events.is_empty(), "{}", store.backend());
        let all = store
            .list_events(&scope, &EventFilter::default(), &PageRequest::first(50))
            .await
            .unwrap();
        assert!(all.events.iter().all(|e| e.tenant == "acme"));
        assert_eq!(all.events.len(), 1);
        assert!(store.get_event(&scope, &theirs.id).await.unwrap().is_none());
        let tenants = store.list_tenants(&scope).await.unwrap();
        assert_eq!(
            tenants.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(),
            vec!["acme"]
        );
    }
}

#[tokio::test]
async fn filters_narrow_by_action_prefix_actor_outcome_resource_and_time() {
    for store in backends().await {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        let mut failed = event(3, "user.login.failed", "bob");
        failed.outcome = Outcome::Failure;
        let batch = vec![
            event(0, "license.created", "alice"),
            event(1, "license.deleted", "alice"),
            event(2, "licenses.other", "alice"),
            failed,
        ];
        store.append(tenant.id, &batch, None).await.unwrap();
        let scope = TenantScope::all_tenants();
        let count = |filter: EventFilter| {
            let store = store.clone();
            let scope = scope.clone();
            async move {
                store
                    .list_events(&scope, &filter, &PageRequest::first(50))
                    .await
                    .unwrap()
                    .events
                    .len()
            }
        };
        let name = store.backend();
        assert_eq!(
            count(EventFilter::parse_query("action:license.*").unwrap()).await,
            2,
            "{name}"
        );
        assert_eq!(
            count(EventFilter::parse_query("action:license.created").unwrap()).await,
            1
        );
        assert_eq!(
            count(EventFilter::parse_query("actor:bob@example.com").unwrap()).await,
            1
        );
        assert_eq!(
            count(EventFilter::parse_query("actor:\"alice name\"").unwrap()).await,
            3
        );
        assert_eq!(
            count(EventFilter::parse_query("outcome:failure").unwrap()).await,
            1
        );
        assert_eq!(
            count(EventFilter::parse_query("resource_id:K-1").unwrap()).await,
            1
        );
        let window = EventFilter {
            from: Some(base_time() + Duration::minutes(1)),
            to: Some(base_time() + Duration::minutes(3)),
            ..Default::default()
        };
        assert_eq!(count(window).await, 2, "{name}");
        assert_eq!(
            count(EventFilter {
                tenant: Some("nobody".into()),
                ..Default::default()
            })
            .await,
            0
        );
    }
}

#[tokio::test]
async fn both_backends_give_the_same_answers_to_the_same_queries() {
    let stores = backends().await;
    let batch: Vec<_> = (0..80)
        .map(|i| {
            event(
                i % 17,
                if i % 3 == 0 {
                    "license.created"
                } else {
                    "user.login"
                },
                "carol",
            )
        })
        .collect();
    let mut answers = Vec::new();
    for store in &stores {
        let tenant = store.ensure_tenant("acme", "Acme").await.unwrap();
        store.append(tenant.id, &batch, None).await.unwrap();
        let filter = EventFilter::parse_query("action:license.*").unwrap();
        let first = store
            .list_events(
                &TenantScope::all_tenants(),
                &filter,
                &PageRequest::first(10),
            )
            .await
            .unwrap();
        let next = PageRequest {
            older_than: first.older,
            newer_than: None,
            limit: 10,
        };
        let second = store
            .list_events(&TenantScope::all_tenants(), &filter, &next)
            .await
            .unwrap();
        let ids: Vec<String> = first
            .events
            .iter()
            .chain(&second.events)
            .map(|e| e.id.clone())
            .collect();
        answers.push(ids);
    }
    assert_eq!(answers[0].len(), 20);
    assert_eq!(answers[0], answers[1]);
}
