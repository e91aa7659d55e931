//! The rollups (hourly and daily) stay exactly what a GROUP BY over the events gives, after
//! random ingests and after retention, and the analytics counts read from
//! them equal the same counts read from the events.

use crate::support::{event, postgres_store, sqlite_store};
use app::{
    integrity::{run_retention, RetentionPolicy},
    model::{ActorType, EventFilter, Outcome, Severity},
    store::{
        column_value, raw::append_received_at, NewEvent, Period, Rollup, Signer, Store,
        TallySource, TallyStore, TenantScope, ROLLUPS,
    },
};
use chrono::{Duration, Utc};
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::{Connection, Executor, Row};

const DAY_US: i64 = 86_400_000_000;
const HOUR_US: i64 = 3_600_000_000;

const ACTIONS: &[&str] = &[
    "user.login",
    "user.login.failed",
    "user.otp.requested",
    "license.created",
    "license.hwid_reset",
    "balance.transferred",
];

/// A random event within three days, actors with and without names.
fn random_event(rng: &mut StdRng) -> NewEvent {
    let action = ACTIONS[rng.gen_range(0..ACTIONS.len())];
    let actor = format!("u{}", rng.gen_range(0..7));
    let mut ev = event(rng.gen_range(-3 * 24 * 60..60), action, &actor);
    if rng.gen_bool(0.3) {
        ev.actor.name = None;
        ev.actor.email = None;
    }
    ev.actor.kind = [ActorType::Staff, ActorType::Customer][rng.gen_range(0..2)];
    ev.outcome = [
        Outcome::Success,
        Outcome::Success,
        Outcome::Failure,
        Outcome::Denied,
    ][rng.gen_range(0..4)];
    ev.severity = [Severity::Info, Severity::Critical][rng.gen_range(0..2)];
    ev.ip = match rng.gen_range(0..3) {
        0 => None,
        n => Some(format!("198.51.100.{n}")),
    };
    if action.starts_with("user.") {
        ev.category = "auth".into();
    }
    ev
}

/// Random batches into three tenants; returns their ids.
async fn ingest(store: &dyn Store, rng: &mut StdRng, batches: usize) -> Vec<i64> {
    let mut tenants = Vec::new();
    for slug in ["acme", "globex", "initech"] {
        tenants.push(store.ensure_tenant(slug, slug).await.unwrap().id);
    }
    let sent: Vec<(i64, Vec<NewEvent>)> = (0..batches)
        .map(|_| {
            let size = rng.gen_range(1..40);
            let batch: Vec<_> = (0..size).map(|_| random_event(rng)).collect();
            (tenants[rng.gen_range(0..tenants.len())], batch)
        })
        .collect();
    // Sent concurrently, a dozen at a time: the committer groups them, and
    // a group counts each tenant's events into the rollups once.
    for wave in sent.chunks(12) {
        let appends = wave
            .iter()
            .map(|(tenant, batch)| store.append(*tenant, batch, None));
        for outcome in futures::future::join_all(appends).await {
            outcome.unwrap();
        }
    }
    tenants
}

/// `occurred_at` floored to a multiple of `unit` microseconds.
fn floored(unit: i64) -> String {
    format!("occurred_at - (((occurred_at % {unit}) + {unit}) % {unit})")
}

/// A rollup's rows, and the GROUP BY over the events they must equal; the
/// last column is `last_at` where the table keeps one.
fn rollup_sql(r: &Rollup) -> [String; 2] {
    // Written out here rather than taken from the store, so a wrong floor
    // there cannot agree with itself.
    let period = match r.period {
        Period::Hour => floored(HOUR_US),
        Period::Day => floored(DAY_US),
        Period::All => "CAST(0 AS BIGINT)".to_string(),
    };
    let keys = r.columns.join(", ");
    let values: Vec<String> = r.columns.iter().map(|c| column_value(c)).collect();
    let order: Vec<String> = (1..=r.columns.len() + 2).map(|i| i.to_string()).collect();
    let order = order.join(", ");
    let (kept_last, counted_last) = if r.last_at {
        (", last_at", ", MAX(occurred_at)")
    } else {
        ("", "")
    };
    let only = if r.failures_only {
        "WHERE outcome <> 'success'"
    } else {
        ""
    };
    [
        format!(
            "SELECT tenant_id, {}, {keys}, n{kept_last} FROM {} ORDER BY {order}",
            r.period.column(),
            r.table
        ),
        format!(
            "SELECT tenant_id, {period}, \
             {}, COUNT(*){counted_last} FROM events {only} GROUP BY {order} ORDER BY {order}",
            values.join(", ")
        ),
    ]
}

/// Every rollup against its GROUP BY, on one connection that sees every
/// tenant; `last_at` is left out after retention (see `rollups.rs`).
macro_rules! assert_exact {
    ($conn:expr, $with_last:expr) => {{
        for rollup in ROLLUPS {
            let [kept, counted] = rollup_sql(rollup);
            let mut texts = Vec::new();
            for sql in [&kept, &counted] {
                let rows = sqlx::query(sql).fetch_all(&mut *$conn).await.unwrap();
                let width = rollup.columns.len() + 3 + usize::from(rollup.last_at && $with_last);
                let rows: Vec<Vec<String>> = rows
                    .iter()
                    .map(|row| {
                        (0..width)
                            .map(|i| match row.try_get::<String, _>(i) {
                                Ok(text) => text,
                                Err(_) => row.try_get::<i64, _>(i).unwrap().to_string(),
                            })
                            .collect()
                    })
                    .collect();
                texts.push(rows);
            }
            assert!(!texts[1].is_empty(), "{}: no events counted", rollup.table);
            assert_eq!(
                texts[0], texts[1],
                "{} differs from the events",
                rollup.table
            );
        }
    }};
}

/// Expires everything received so far, then ingests more.
async fn purge_all_but_new(store: &dyn Store, rng: &mut StdRng) {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let now = Utc::now().timestamp_micros() + DAY_US;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    ingest(store, rng, 10).await;
    let (signer, _) = Signer::generate();
    let policy = RetentionPolicy {
        default_days: 1,
        batch: 7,
    };
    let purges = run_retention(store, &signer, policy, now, None)
        .await
        .unwrap();
    assert!(purges.iter().map(|p| p.deleted).sum::<u64>() > 0);
}

#[tokio::test]
async fn rollups_equal_a_group_by_over_the_events_after_random_ingests_and_retention_on_sqlite() {
    let store = sqlite_store().await;
    let mut rng = StdRng::seed_from_u64(11);
    ingest(&store, &mut rng, 40).await;
    let mut conn = store.read_pool().acquire().await.unwrap();
    assert_exact!(conn, true);
    drop(conn);
    purge_all_but_new(&store, &mut rng).await;
    let mut conn = store.read_pool().acquire().await.unwrap();
    assert_exact!(conn, false);
}

#[tokio::test]
async fn rollups_equal_a_group_by_over_the_events_after_random_ingests_and_retention_on_postgres() {
    let store = postgres_store().await;
    let mut rng = StdRng::seed_from_u64(12);
    ingest(&store, &mut rng, 40).await;
    let mut conn = store.owner_connection().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    tx.execute("SELECT set_config('logbook.scope', '*', true)")
        .await
        .unwrap();
    assert_exact!(tx, true);
    tx.commit().await.unwrap();
    purge_all_but_new(&store, &mut rng).await;
    let mut tx = conn.begin().await.unwrap();
    tx.execute("SELECT set_config('logbook.scope', '*', true)")
        .await
        .unwrap();
    assert_exact!(tx, false);
}

#[tokio::test]
async fn analytics_counts_from_the_rollups_equal_the_same_counts_from_the_events() {
    let stores: Vec<std::sync::Arc<dyn Store>> = vec![
        std::sync::Arc::new(sqlite_store().await),
        std::sync::Arc::new(postgres_store().await),
    ];
    for store in stores {
        let mut rng = StdRng::seed_from_u64(13);
        let tenants = ingest(store.as_ref(), &mut rng, 30).await;
        let hour = |h: i64| crate::support::base_time() + Duration::hours(h);
        let mut filters = vec![EventFilter {
            from: Some(hour(-80)),
            to: Some(hour(2)),
            ..EventFilter::default()
        }];
        let mut narrow = filters[0].clone();
        narrow.is.actions = vec!["license.*".into(), "user.login".into()];
        narrow.not.outcome = Some(Outcome::Denied);
        filters.push(narrow);
        // Whole UTC days: read from the daily rollups.
        let day = |d: i64| {
            let start = crate::support::base_time()
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            start.and_utc() + Duration::days(d)
        };
        filters.push(EventFilter {
            from: Some(day(-3)),
            to: Some(day(1)),
            ..EventFilter::default()
        });
        let mut days_and_actor = filters[filters.len() - 1].clone();
        days_and_actor.is.actor = Some("u2".into());
        filters.push(days_and_actor);
        let mut actor = filters[0].clone();
        actor.is.actor = Some("u3@example.com".into());
        actor.tenant = Some("acme".into());
        filters.push(actor);
        for scope in [TenantScope::all_tenants(), TenantScope::tenant(tenants[0])] {
            for filter in &filters {
                let kept = store.tally(&scope, filter).await.unwrap();
                assert_eq!(kept.source, TallySource::Rollups);
                // Excluding a tag no event has changes no count, but only the
                // events keep tags: the same counts, read the other way.
                let mut via_events = filter.clone();
                via_events.not.tag = Some("no-such-tag".into());
                let counted = store.tally(&scope, &via_events).await.unwrap();
                assert_ne!(counted.source, TallySource::Rollups);
                assert!(!counted.mix.is_empty(), "{filter:?} matched nothing");
                let sorted = |mut v: Vec<app::store::HourCount>| {
                    v.sort_by(|a, b| (a.hour, &a.a, &a.b).cmp(&(b.hour, &b.a, &b.b)));
                    v
                };
                assert_eq!(sorted(kept.series), sorted(counted.series));
                let mut mix = (kept.mix, counted.mix);
                mix.0
                    .sort_by(|a, b| (&a.action, &a.outcome).cmp(&(&b.action, &b.outcome)));
                mix.1
                    .sort_by(|a, b| (&a.action, &a.outcome).cmp(&(&b.action, &b.outcome)));
                assert_eq!(mix.0, mix.1);
                assert_eq!(sorted(kept.auth_series), sorted(counted.auth_series));
                assert_eq!(kept.top_actors, counted.top_actors);
                assert_eq!(kept.distinct_actors, counted.distinct_actors);
                assert_eq!(kept.failing_ips, counted.failing_ips);
                assert_eq!(kept.failing_accounts, counted.failing_accounts);
                assert_eq!(
                    store.tally_totals(&scope, filter).await.unwrap(),
                    store.tally_totals(&scope, &via_events).await.unwrap()
                );
            }
        }
    }
}

/// Failed sign-ins as an attack looks: a dozen addresses failing many times
/// a day among hundreds failing once; `heavy` of them in tenant `tenant`.
async fn attack(store: &dyn Store, tenant: i64, heavy: usize, rng: &mut StdRng) {
    let mut batch = Vec::new();
    let minute = |rng: &mut StdRng| rng.gen_range(-(3 * 24 + 12) * 60..11 * 60);
    for i in 0..heavy {
        for _ in 0..rng.gen_range(150..300) {
            let mut e = event(minute(rng), "user.login", &format!("u{i}"));
            e.category = "auth".into();
            e.outcome = [Outcome::Failure, Outcome::Denied][rng.gen_range(0..2)];
            e.ip = Some(format!("203.0.113.{i}"));
            batch.push(e);
        }
    }
    for i in 0..300 {
        let mut e = event(minute(rng), "user.login", "someone");
        e.category = "auth".into();
        e.outcome = Outcome::Failure;
        e.ip = Some(format!("10.0.{}.{}", i / 200, i % 200));
        batch.push(e);
    }
    store.append(tenant, &batch, None).await.unwrap();
}

#[tokio::test]
async fn the_top_failing_addresses_from_heavy_days_equal_the_full_count() {
    let stores: Vec<std::sync::Arc<dyn Store>> = vec![
        std::sync::Arc::new(sqlite_store().await),
        std::sync::Arc::new(postgres_store().await),
    ];
    for store in stores {
        let mut rng = StdRng::seed_from_u64(29);
        let busy = store.ensure_tenant("busy", "Busy").await.unwrap().id;
        let quiet = store.ensure_tenant("quiet", "Quiet").await.unwrap().id;
        attack(store.as_ref(), busy, 12, &mut rng).await;
        // Too few heavy addresses to prove a top ten: the full count answers.
        attack(store.as_ref(), quiet, 4, &mut rng).await;
        let start = crate::support::base_time()
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let filter = EventFilter {
            from: Some(start - Duration::days(3)),
            to: Some(start + Duration::days(1)),
            ..EventFilter::default()
        };
        let mut via_events = filter.clone();
        via_events.not.tag = Some("no-such-tag".into());
        for scope in [
            TenantScope::all_tenants(),
            TenantScope::tenant(busy),
            TenantScope::tenant(quiet),
        ] {
            let kept = store.tally(&scope, &filter).await.unwrap();
            let counted = store.tally(&scope, &via_events).await.unwrap();
            assert_eq!(kept.source, TallySource::Rollups);
            assert_eq!(kept.failing_ips.len(), 10, "{scope:?}");
            assert_eq!(kept.failing_ips, counted.failing_ips, "{scope:?}");
        }
    }
}

#[tokio::test]
async fn rollups_equal_a_group_by_over_the_events_after_retention_drops_a_whole_partition() {
    let store = postgres_store().await;
    let mut rng = StdRng::seed_from_u64(13);
    // Forty days ago, a month's partition of its own; then today's events.
    let old = (Utc::now() - Duration::days(40)).timestamp_micros();
    for slug in ["acme", "globex", "initech"] {
        let tenant = store.ensure_tenant(slug, slug).await.unwrap();
        let batch: Vec<_> = (0..30).map(|_| random_event(&mut rng)).collect();
        append_received_at(&store, tenant.id, &batch, old)
            .await
            .unwrap();
    }
    ingest(&store, &mut rng, 10).await;
    let (signer, _) = Signer::generate();
    let policy = RetentionPolicy {
        default_days: 30,
        batch: 7,
    };
    let now = Utc::now().timestamp_micros();
    let purges = run_retention(&store, &signer, policy, now, None)
        .await
        .unwrap();
    assert_eq!(
        purges.iter().map(|p| p.deleted).sum::<u64>(),
        90,
        "{purges:?}"
    );
    let mut conn = store.owner_connection().await.unwrap();
    let (partitions,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM event_partitions WHERE lo <= $1 AND $1 < hi")
            .bind(old)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(partitions, 0, "the old month's partition was dropped");
    let mut tx = conn.begin().await.unwrap();
    tx.execute("SELECT set_config('logbook.scope', '*', true)")
        .await
        .unwrap();
    assert_exact!(tx, false);
}

#[tokio::test]
async fn the_store_reports_a_rollup_row_changed_by_hand_as_differing_from_the_events() {
    let sqlite = sqlite_store().await;
    let postgres = postgres_store().await;
    let mut rng = StdRng::seed_from_u64(14);
    ingest(&sqlite, &mut rng, 20).await;
    purge_all_but_new(&sqlite, &mut rng).await;
    assert_eq!(
        sqlite.rollup_mismatches().await.unwrap(),
        Vec::<&str>::new()
    );
    let mut conn = sqlite.write_pool().acquire().await.unwrap();
    conn.execute("UPDATE rollup_hours SET n = n + 1")
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        sqlite.rollup_mismatches().await.unwrap(),
        vec!["rollup_hours"]
    );

    ingest(&postgres, &mut rng, 20).await;
    purge_all_but_new(&postgres, &mut rng).await;
    assert_eq!(
        postgres.rollup_mismatches().await.unwrap(),
        Vec::<&str>::new()
    );
    let mut conn = postgres.owner_connection().await.unwrap();
    conn.execute("UPDATE rollup_days SET n = n * 2")
        .await
        .unwrap();
    assert_eq!(
        postgres.rollup_mismatches().await.unwrap(),
        vec!["rollup_days"]
    );
}
