//! The SQL that matches just-appended events against alert rules. A rule's
//! conditions are the log's own filter, pushed by the same `push_filter_at`
//! as the table: an alert fires for exactly the events the log would show.

use crate::model::{duration_text, EventFilter, GroupBy};
use crate::store::{
    backend::Dialect, events::filter::push_filter_at, scope::TenantScope, sql::Sql,
};

/// One readable line naming an event, built in SQL so that plain rules
/// queue their firings in one `INSERT … SELECT`:
/// `critical: balance.add by ann@shop.io on account 42 (failure) - Added 500`.
pub(crate) const SUMMARY_SQL: &str = "e.severity || ': ' || e.action || ' by ' \
     || COALESCE(e.actor_email, e.actor_name, e.actor_id) \
     || COALESCE(' on ' || e.resource_type || ' ' || e.resource_id, '') \
     || CASE WHEN e.outcome = 'success' THEN '' ELSE ' (' || e.outcome || ')' END \
     || CASE WHEN e.description = '' THEN '' ELSE ' - ' || SUBSTR(e.description, 1, 200) END";

/// The actor of what the delivery worker records in Logbook's own log.
pub(crate) const WORKER_ACTOR: &str = "system:alerts";

/// Events of the batch `(after, upto]` of `tenant` that match `filter`.
/// The delivery worker's own records never match: a rule on failures must
/// not alert about its own failing deliveries, round and round.
fn push_batch<D: Dialect>(
    qb: &mut Sql<D>,
    tenant: i64,
    after: i64,
    upto: i64,
    filter: &EventFilter,
) {
    qb.push(" FROM events e WHERE e.tenant_id = ")
        .push_bind(tenant)
        .push(" AND e.seq > ")
        .push_bind(after)
        .push(" AND e.seq <= ")
        .push_bind(upto)
        .push(" AND e.actor_id <> ")
        .push_bind(WORKER_ACTOR.to_string());
    push_filter_at(
        qb,
        &TenantScope::tenant(tenant),
        filter,
        None,
        "e.occurred_at",
    );
}

/// Queues a firing per matching event of a rule without a threshold; the
/// unique `(rule_id, dedupe_key)` keeps it to one per rule and event.
pub(crate) fn fire_plain<D: Dialect>(
    rule_id: i64,
    tenant: i64,
    after: i64,
    upto: i64,
    now: i64,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = Sql::new(
        "INSERT INTO alert_firings (rule_id, tenant_id, dedupe_key, event_id, matched, at, \
         summary, created_at) SELECT ",
    );
    qb.push_bind(rule_id)
        .push(", e.tenant_id, e.id, e.id, 1, e.occurred_at, ")
        .push(SUMMARY_SQL)
        .push(", ")
        .push_bind(now);
    push_batch(&mut qb, tenant, after, upto, filter);
    // In chain order, so deliveries (queued in firing order) go out in the
    // order the events happened, whichever index the planner reads.
    qb.push(" ORDER BY e.seq ON CONFLICT (rule_id, dedupe_key) DO NOTHING");
    qb
}

/// A threshold rule's matching events of the batch, in chain order.
pub(crate) fn threshold_candidates<D: Dialect>(
    tenant: i64,
    after: i64,
    upto: i64,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = Sql::new("SELECT e.id, e.occurred_at, e.actor_id, e.ip, ");
    qb.push(SUMMARY_SQL);
    push_batch(&mut qb, tenant, after, upto, filter);
    qb.push(" ORDER BY e.seq");
    qb
}

/// A matching event of a threshold rule, as read back.
pub(crate) type Candidate = (String, i64, String, Option<String>, String);

/// The value a threshold counts per, for one event (`None`: the event has
/// no such value, e.g. no IP, and so counts toward nothing).
pub(crate) fn group_value(group_by: GroupBy, candidate: &Candidate) -> Option<String> {
    match group_by {
        GroupBy::Actor => Some(candidate.2.clone()),
        GroupBy::Ip => candidate.3.clone(),
        GroupBy::Tenant => Some(String::new()),
    }
}

/// Groups a threshold rule counts for in one append, at most this many:
/// each costs one `COUNT` inside the write transaction every tenant shares.
pub(crate) const MAX_THRESHOLD_GROUPS: usize = 200;

/// What a threshold rule counts for a batch: each group's latest matching
/// event, once per group (a 5,000-event batch of one actor is one count,
/// not 5,000), for at most `MAX_THRESHOLD_GROUPS` groups, in chain order.
pub(crate) fn latest_per_group(
    group_by: GroupBy,
    candidates: &[Candidate],
) -> Vec<(String, &Candidate)> {
    let mut latest: Vec<(String, &Candidate)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let mut dropped = false;
    for candidate in candidates {
        let Some(group) = group_value(group_by, candidate) else {
            continue;
        };
        match index.get(&group) {
            Some(&at) => latest[at] = (group, candidate),
            None if latest.len() < MAX_THRESHOLD_GROUPS => {
                index.insert(group.clone(), latest.len());
                latest.push((group, candidate));
            }
            None => dropped = true,
        }
    }
    if dropped {
        tracing::warn!(
            groups = MAX_THRESHOLD_GROUPS,
            "a threshold rule counted only the first groups of a large batch"
        );
    }
    latest.sort_by_key(|(_, c)| c.1);
    latest
}

/// Matching events of the group in the window `(at - window, at]`.
pub(crate) fn threshold_count<D: Dialect>(
    tenant: i64,
    group_by: GroupBy,
    group: &str,
    at: i64,
    window_us: i64,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = Sql::new("SELECT COUNT(*) FROM events e WHERE e.tenant_id = ");
    qb.push_bind(tenant)
        .push(" AND e.occurred_at > ")
        .push_bind(at - window_us)
        .push(" AND e.occurred_at <= ")
        .push_bind(at);
    match group_by {
        GroupBy::Actor => {
            qb.push(" AND e.actor_id = ").push_bind(group.to_string());
        }
        GroupBy::Ip => {
            qb.push(" AND e.ip = ").push_bind(group.to_string());
        }
        GroupBy::Tenant => {}
    }
    push_filter_at(
        &mut qb,
        &TenantScope::tenant(tenant),
        filter,
        None,
        "e.occurred_at",
    );
    qb
}

/// The line a threshold firing carries.
pub(crate) fn threshold_summary(
    count: i64,
    window_secs: u32,
    group_by: GroupBy,
    latest: &str,
) -> String {
    let per = match group_by {
        GroupBy::Actor => " by one actor",
        GroupBy::Ip => " from one IP",
        GroupBy::Tenant => "",
    };
    format!(
        "{count} matching events{per} within {}; latest {latest}",
        duration_text(window_secs)
    )
}

/// Queues a delivery per destination of every firing this append made.
pub(crate) const QUEUE_DELIVERIES: &str = "INSERT INTO alert_outbox (firing_id, destination_id, \
     next_attempt_at, created_at) SELECT f.id, rd.destination_id, $1, $1 FROM alert_firings f \
     JOIN alert_rule_destinations rd ON rd.rule_id = f.rule_id \
     WHERE f.tenant_id = $2 AND f.created_at = $1 ORDER BY f.id, rd.destination_id \
     ON CONFLICT (firing_id, destination_id) DO NOTHING";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threshold_counts_per_actor_per_ip_or_per_tenant() {
        let with_ip: Candidate = (
            "01J".into(),
            5,
            "user:7".into(),
            Some("203.0.113.9".into()),
            "x".into(),
        );
        let without_ip: Candidate = ("01K".into(), 5, "user:7".into(), None, "x".into());
        assert_eq!(
            group_value(GroupBy::Actor, &with_ip).as_deref(),
            Some("user:7")
        );
        assert_eq!(
            group_value(GroupBy::Ip, &with_ip).as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(group_value(GroupBy::Ip, &without_ip), None);
        assert_eq!(
            group_value(GroupBy::Tenant, &without_ip).as_deref(),
            Some("")
        );
    }

    #[test]
    fn a_large_batch_costs_one_count_per_group_and_a_bounded_number_of_groups() {
        let event = |i: i64, actor: &str| -> Candidate {
            (format!("E{i}"), i, actor.into(), None, "x".into())
        };
        let one_actor: Vec<Candidate> = (0..5_000).map(|i| event(i, "eve")).collect();
        let checks = latest_per_group(GroupBy::Actor, &one_actor);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].1 .0, "E4999", "counted at the latest event");
        let many: Vec<Candidate> = (0..5_000).map(|i| event(i, &format!("a{i}"))).collect();
        assert_eq!(
            latest_per_group(GroupBy::Actor, &many).len(),
            MAX_THRESHOLD_GROUPS
        );
        assert!(
            latest_per_group(GroupBy::Ip, &many).is_empty(),
            "no IPs, nothing to count"
        );
    }

    #[test]
    fn a_threshold_firing_says_how_many_in_what_window() {
        assert_eq!(
            threshold_summary(5, 600, GroupBy::Actor, "warning: auth.sign_in by eve (failure)"),
            "5 matching events by one actor within 10 min; latest warning: auth.sign_in by eve (failure)"
        );
    }

    #[tokio::test]
    async fn the_summary_line_reads_the_same_in_sql_whatever_is_missing() {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query(
            "CREATE TABLE events (severity TEXT, action TEXT, actor_id TEXT, actor_name TEXT, \
             actor_email TEXT, resource_type TEXT, resource_id TEXT, outcome TEXT, description TEXT)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO events VALUES \
             ('critical', 'balance.add', 'u1', 'Ann', 'ann@shop.io', 'account', '42', 'success', 'Added 500'), \
             ('warning', 'auth.sign_in', 'u2', NULL, NULL, NULL, NULL, 'failure', '')",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let lines: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {SUMMARY_SQL} FROM events e ORDER BY rowid"
        ))
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            lines,
            [
                "critical: balance.add by ann@shop.io on account 42 - Added 500",
                "warning: auth.sign_in by u2 (failure)",
            ]
        );
    }
}
