//! Alert rules matched inside the append transaction: one delivery per
//! rule, event and destination; thresholds at their edges; retries and
//! destination health; "logging stopped"; tenant scope.

use crate::support::{backends, event};
use app::{
    model::{DeliveryStatus, DestinationKind, GroupBy, Outcome, Threshold},
    store::{DestinationInput, Health, NewEvent, RuleInput, Store, TenantScope},
};
use chrono::Duration;

fn destination(tenant_id: Option<i64>, name: &str) -> DestinationInput {
    DestinationInput {
        tenant_id,
        name: name.to_string(),
        kind: DestinationKind::Webhook,
        target: format!("http://127.0.0.1:9/{name}"),
        secret: Some("s3cret".into()),
        by: None,
    }
}

fn rule(tenant_id: Option<i64>, conditions: &str, destinations: Vec<i64>) -> RuleInput {
    RuleInput {
        id: None,
        tenant_id,
        name: format!("when {conditions}"),
        conditions: conditions.to_string(),
        threshold: None,
        silence_secs: None,
        enabled: true,
        destinations,
        by: None,
    }
}

fn failed_sign_in(minutes: i64, seconds: i64, actor: &str) -> NewEvent {
    let mut e = event(minutes, "auth.sign_in", actor);
    e.occurred_at += Duration::seconds(seconds);
    e.outcome = Outcome::Failure;
    e
}

async fn add_destination(store: &dyn Store, tenant: Option<i64>, name: &str) -> i64 {
    store
        .save_alert_destination(&TenantScope::all_tenants(), &destination(tenant, name))
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Every delivery queued so far, claimed (and so taken off the queue).
async fn claim_all(store: &dyn Store) -> Vec<app::store::DueDelivery> {
    let now = chrono::Utc::now().timestamp_micros();
    store
        .claim_deliveries(now, 60_000_000, 1_000, &[])
        .await
        .unwrap()
}

#[tokio::test]
async fn a_rule_queues_one_delivery_per_destination_for_each_matching_event_in_the_append() {
    for store in backends().await {
        let name = store.backend();
        let shop = store.ensure_tenant("shop", "Shop").await.unwrap();
        let other = store.ensure_tenant("other", "Other").await.unwrap();
        let all = TenantScope::all_tenants();
        let (a, b) = (
            add_destination(&*store, None, "a").await,
            add_destination(&*store, None, "b").await,
        );
        store
            .save_alert_rule(&all, &rule(Some(shop.id), "action:balance.*", vec![a, b]))
            .await
            .unwrap()
            .unwrap();
        let mut off = rule(None, "", vec![a]);
        off.enabled = false;
        store.save_alert_rule(&all, &off).await.unwrap().unwrap();

        let events = [
            event(0, "balance.added", "ann"),
            event(1, "license.created", "ann"),
            event(2, "balance.removed", "bob"),
        ];
        store.append(shop.id, &events, None).await.unwrap();
        store
            .append(other.id, &[event(3, "balance.added", "eve")], None)
            .await
            .unwrap();
        // The delivery worker's own records never match: no alert loops.
        let mut own = event(4, "balance.added", "worker");
        own.actor.id = "system:alerts".into();
        store.append(shop.id, &[own], None).await.unwrap();

        let due = claim_all(&*store).await;
        let mut pairs: Vec<(String, String)> = due
            .iter()
            .map(|d| (d.event_id.clone().unwrap(), d.destination.clone()))
            .collect();
        pairs.sort();
        let mut expected = vec![
            (events[0].id.clone(), "a".to_string()),
            (events[0].id.clone(), "b".to_string()),
            (events[2].id.clone(), "a".to_string()),
            (events[2].id.clone(), "b".to_string()),
        ];
        expected.sort();
        assert_eq!(pairs, expected, "{name}");
        assert!(
            due[0]
                .summary
                .contains(" by ann@example.com on license K-0"),
            "{name}: {}",
            due[0].summary
        );
        assert_eq!(due[0].tenant_slug.as_deref(), Some("shop"));
        assert!(
            claim_all(&*store).await.is_empty(),
            "{name}: a claimed delivery is not handed out twice"
        );
    }
}

#[tokio::test]
async fn a_threshold_fires_once_at_the_fifth_failure_within_ten_minutes_per_actor() {
    for store in backends().await {
        let name = store.backend();
        let shop = store.ensure_tenant("shop", "Shop").await.unwrap();
        let all = TenantScope::all_tenants();
        let d = add_destination(&*store, None, "ops").await;
        let mut r = rule(Some(shop.id), "category:auth outcome:failure", vec![d]);
        r.threshold = Some(Threshold {
            count: 5,
            window_secs: 600,
            group_by: GroupBy::Actor,
        });
        store.save_alert_rule(&all, &r).await.unwrap().unwrap();

        // ann: four failures in two minutes, one at a time: nothing yet.
        for i in 0..4 {
            store
                .append(shop.id, &[failed_sign_in(0, i * 30, "ann")], None)
                .await
                .unwrap();
        }
        assert!(
            claim_all(&*store).await.is_empty(),
            "{name}: four is not five"
        );
        // The fifth, 9 min 59 s after the first: fires.
        store
            .append(shop.id, &[failed_sign_in(9, 59, "ann")], None)
            .await
            .unwrap();
        let due = claim_all(&*store).await;
        assert_eq!(due.len(), 1, "{name}");
        assert_eq!(due[0].matched, 5);
        assert_eq!(due[0].group_key.as_deref(), Some("ann"));
        assert!(due[0]
            .summary
            .starts_with("5 matching events by one actor within 10 min"));
        // A sixth in the same burst does not fire again.
        store
            .append(shop.id, &[failed_sign_in(10, 10, "ann")], None)
            .await
            .unwrap();
        assert!(
            claim_all(&*store).await.is_empty(),
            "{name}: one alert per burst"
        );

        // bob: five failures spanning exactly ten minutes, in one append:
        // the first has left the window when the fifth arrives.
        let bob: Vec<NewEvent> = [0, 150, 300, 450, 600]
            .into_iter()
            .map(|s| failed_sign_in(20, s, "bob"))
            .collect();
        store.append(shop.id, &bob, None).await.unwrap();
        assert!(
            claim_all(&*store).await.is_empty(),
            "{name}: ten minutes is outside"
        );
        // Successful sign-ins and other actors never count toward bob's.
        let mut ok = failed_sign_in(30, 0, "bob");
        ok.outcome = Outcome::Success;
        store
            .append(shop.id, &[ok, failed_sign_in(30, 1, "cat")], None)
            .await
            .unwrap();
        assert!(claim_all(&*store).await.is_empty(), "{name}");
        // One more of bob's within ten minutes of his last four: fires.
        store
            .append(shop.id, &[failed_sign_in(30, 5, "bob")], None)
            .await
            .unwrap();
        let due = claim_all(&*store).await;
        assert_eq!(due.len(), 1, "{name}");
        assert_eq!(due[0].group_key.as_deref(), Some("bob"));
    }
}

#[tokio::test]
async fn failures_back_off_give_up_visibly_and_mark_the_destination_failing_then_recovered() {
    for store in backends().await {
        let name = store.backend();
        let shop = store.ensure_tenant("shop", "Shop").await.unwrap();
        let all = TenantScope::all_tenants();
        let d = add_destination(&*store, Some(shop.id), "flaky").await;
        store
            .save_alert_rule(&all, &rule(Some(shop.id), "", vec![d]))
            .await
            .unwrap()
            .unwrap();
        let events: Vec<NewEvent> = (0..4).map(|i| event(i, "balance.added", "ann")).collect();
        store.append(shop.id, &events, None).await.unwrap();
        let due = claim_all(&*store).await;
        assert_eq!(due.len(), 4, "{name}");
        let now = chrono::Utc::now().timestamp_micros();
        let later = now + 3_600_000_000;
        let mut health = Vec::new();
        for d in &due[..3] {
            health.push(
                store
                    .delivery_failed(d, "HTTP 500 from 127.0.0.1", now, Some(later))
                    .await
                    .unwrap(),
            );
        }
        assert_eq!(
            health,
            [Health::Unchanged, Health::Unchanged, Health::BecameFailing],
            "{name}"
        );
        let listed = store.alert_destinations(&all).await.unwrap();
        assert!(listed[0].failing_since.is_some(), "{name}");
        assert_eq!(
            listed[0].last_error.as_deref(),
            Some("HTTP 500 from 127.0.0.1")
        );
        assert_eq!(
            store.delivery_sent(&due[3], now).await.unwrap(),
            Health::Recovered
        );
        let listed = store.alert_destinations(&all).await.unwrap();
        assert!(listed[0].failing_since.is_none(), "{name}: recovered");
        // Not due again until the backoff has passed.
        assert!(store
            .claim_deliveries(now + 1, 60_000_000, 10, &[])
            .await
            .unwrap()
            .is_empty());
        let again = store
            .claim_deliveries(later, 60_000_000, 10, &[])
            .await
            .unwrap();
        assert_eq!(again.len(), 3, "{name}: due again after the backoff");
        // Retries ran out for one: kept, shown as failed (recorded under
        // its new claim; see `outbox_claims`).
        let retried = again.iter().find(|d| d.id == due[0].id).unwrap();
        store
            .delivery_failed(retried, "HTTP 500 again", later, None)
            .await
            .unwrap();
        let deliveries = store.alert_deliveries(&all, 10).await.unwrap();
        let status = |id: i64| deliveries.iter().find(|x| x.id == id).unwrap().status;
        assert_eq!(status(due[0].id), DeliveryStatus::Failed, "{name}");
        assert_eq!(status(due[3].id), DeliveryStatus::Sent, "{name}");
    }
}

#[tokio::test]
async fn a_partner_sees_and_wires_only_their_own_tenants_rules_and_destinations() {
    for store in backends().await {
        let name = store.backend();
        let shop = store.ensure_tenant("shop", "Shop").await.unwrap();
        let other = store.ensure_tenant("other", "Other").await.unwrap();
        let all = TenantScope::all_tenants();
        let partner = TenantScope::tenant(shop.id);
        let staff = add_destination(&*store, None, "staff").await;
        let theirs = add_destination(&*store, Some(other.id), "theirs").await;
        let own = store
            .save_alert_destination(&partner, &destination(Some(shop.id), "own"))
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .save_alert_destination(&partner, &destination(Some(other.id), "x"))
                .await
                .unwrap()
                .is_none(),
            "{name}"
        );
        let seen: Vec<String> = store
            .alert_destinations(&partner)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(seen, ["own"], "{name}");
        for refused in [
            rule(Some(shop.id), "", vec![staff]),
            rule(Some(shop.id), "", vec![theirs]),
            rule(Some(other.id), "", vec![own.id]),
            rule(None, "", vec![own.id]),
        ] {
            assert!(
                store
                    .save_alert_rule(&partner, &refused)
                    .await
                    .unwrap()
                    .is_none(),
                "{name}: {refused:?}"
            );
        }
        // Not even staff may send another tenant's events to a tenant's destination.
        assert!(store
            .save_alert_rule(&all, &rule(Some(other.id), "", vec![own.id]))
            .await
            .unwrap()
            .is_none());
        let mine = store
            .save_alert_rule(&partner, &rule(Some(shop.id), "", vec![own.id]))
            .await
            .unwrap()
            .unwrap();
        let staff_rule = store
            .save_alert_rule(&all, &rule(None, "", vec![staff]))
            .await
            .unwrap()
            .unwrap();
        let listed: Vec<i64> = store
            .alert_rules(&partner)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(listed, [mine.id], "{name}");
        assert!(store
            .delete_alert_rule(&partner, staff_rule.id)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .queue_test_message(&partner, staff, "test", 1)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .queue_test_message(&partner, own.id, "test", 1)
            .await
            .unwrap()
            .is_some());
    }
}

#[tokio::test]
async fn logging_stopped_fires_once_per_quiet_stretch_of_a_tenant_that_usually_sends() {
    for store in backends().await {
        let name = store.backend();
        let busy = store.ensure_tenant("busy", "Busy").await.unwrap();
        let rare = store.ensure_tenant("rare", "Rare").await.unwrap();
        let all = TenantScope::all_tenants();
        let d = add_destination(&*store, None, "ops").await;
        let mut quiet = rule(None, "", vec![d]);
        quiet.silence_secs = Some(3_600);
        store.save_alert_rule(&all, &quiet).await.unwrap().unwrap();
        let batch: Vec<NewEvent> = (0..12)
            .map(|i| event(i, "license.created", "ann"))
            .collect();
        store.append(busy.id, &batch, None).await.unwrap();
        // Fewer than ten events ever: never "usually sends".
        store
            .append(rare.id, &[event(0, "license.created", "bob")], None)
            .await
            .unwrap();
        let now = chrono::Utc::now().timestamp_micros();
        assert!(
            store.fire_silences(now).await.unwrap().is_empty(),
            "{name}: not quiet yet"
        );
        let hour_later = now + 3_600_000_000 + 1_000_000;
        let fired = store.fire_silences(hour_later).await.unwrap();
        assert_eq!(fired.len(), 1, "{name}");
        assert_eq!(fired[0].tenant, "busy");
        assert!(
            store
                .fire_silences(hour_later + 1)
                .await
                .unwrap()
                .is_empty(),
            "{name}: once per quiet stretch"
        );
        let due = store
            .claim_deliveries(hour_later + 2, 60_000_000, 10, &[])
            .await
            .unwrap();
        assert_eq!(due.len(), 1, "{name}");
        assert!(due[0]
            .summary
            .starts_with("busy has sent no events for 1 h"));
        assert_eq!(due[0].event_id, None);
    }
}
