//! Matching a just-appended batch against the alert rules, inside the
//! append's transaction: a firing (and a delivery per destination) for every
//! enabled rule the batch trips.

use crate::model::{rule_conditions, GroupBy};
use crate::store::{
    alerts::matching::{
        fire_plain, latest_per_group, threshold_candidates, threshold_count, threshold_summary,
        Candidate, QUEUE_DELIVERIES,
    },
    backend::{Backend, Tx},
    error::DbError,
    sql::{Scalar, Sql},
};

/// `(id, conditions, threshold, window_secs, group_by)` of an enabled rule.
type RuleRow = (i64, String, Option<i64>, Option<i64>, Option<String>);

/// Queues what the batch `(after, upto]` of `tenant` trips.
pub(crate) async fn fire_alert_rules<B: Backend>(
    tx: &mut Tx<B>,
    tenant: i64,
    after: i64,
    upto: i64,
    now: i64,
) -> Result<(), DbError> {
    let rules: Vec<RuleRow> = Sql::new(
        "SELECT r.id, r.conditions, r.threshold, r.window_secs, r.group_by FROM alert_rules r \
             WHERE r.enabled = TRUE AND r.silence_secs IS NULL \
             AND (r.tenant_id IS NULL OR r.tenant_id = $1) \
             AND EXISTS (SELECT 1 FROM alert_rule_destinations rd WHERE rd.rule_id = r.id)",
    )
    .bind(tenant)
    .fetch_all(&mut *tx)
    .await?;
    let mut fired = false;
    for (rule_id, conditions, threshold, window, group_by) in rules {
        let filter = match rule_conditions(&conditions) {
            Ok(filter) => filter,
            Err(why) => {
                tracing::warn!(rule = rule_id, %why, "alert rule skipped: conditions no longer parse");
                continue;
            }
        };
        let group_by = group_by.and_then(|g| g.parse::<GroupBy>().ok());
        let (Some(count), Some(window), Some(group_by)) = (threshold, window, group_by) else {
            let done = fire_plain(rule_id, tenant, after, upto, now, &filter)
                .execute(&mut *tx)
                .await?;
            fired |= done > 0;
            continue;
        };
        let window_us = window * 1_000_000;
        let candidates: Vec<Candidate> = threshold_candidates(tenant, after, upto, &filter)
            .fetch_all(&mut *tx)
            .await?;
        for (group, candidate) in latest_per_group(group_by, &candidates) {
            let at = candidate.1;
            let seen: i64 = threshold_count(tenant, group_by, &group, at, window_us, &filter)
                .scalar()
                .fetch_one(&mut *tx)
                .await?;
            if seen < count {
                continue;
            }
            // One alert per burst: none if this group already fired
            // within a window either side of this event.
            let recent: i64 = Scalar::new(
                "SELECT COUNT(*) FROM alert_firings WHERE rule_id = $1 AND tenant_id = $2 \
                     AND group_key = $3 AND at > $4 AND at < $5",
            )
            .bind(rule_id)
            .bind(tenant)
            .bind(&group)
            .bind(at - window_us)
            .bind(at + window_us)
            .fetch_one(&mut *tx)
            .await?;
            if recent > 0 {
                continue;
            }
            let summary = threshold_summary(seen, window as u32, group_by, &candidate.4);
            Sql::new(
                "INSERT INTO alert_firings (rule_id, tenant_id, dedupe_key, event_id, \
                     group_key, matched, at, summary, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (rule_id, dedupe_key) DO NOTHING",
            )
            .bind(rule_id)
            .bind(tenant)
            .bind(&candidate.0)
            .bind(&candidate.0)
            .bind(&group)
            .bind(seen)
            .bind(at)
            .bind(summary)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            fired = true;
        }
    }
    if fired {
        Sql::new(QUEUE_DELIVERIES)
            .bind(now)
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
