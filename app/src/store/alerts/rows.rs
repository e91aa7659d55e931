//! Alert rows as selected, and their conversion to the model.

use crate::model::{
    AlertDelivery, AlertDestination, AlertRule, GroupBy, ParseEnumError, Tenant, Threshold,
};
use crate::store::error::DbError;

fn corrupt(e: ParseEnumError) -> DbError {
    DbError::Corrupt(e.to_string())
}

fn tenant(id: Option<i64>, slug: Option<String>, name: Option<String>) -> Option<Tenant> {
    Some(Tenant {
        id: id?,
        slug: slug?,
        name: name?,
    })
}

pub(crate) const RULE_SELECT: &str = "SELECT r.id, r.tenant_id, t.slug AS tenant_slug, \
     t.name AS tenant_name, r.name, r.conditions, r.threshold, r.window_secs, r.group_by, \
     r.silence_secs, r.enabled, \
     (SELECT COUNT(*) FROM alert_firings f WHERE f.rule_id = r.id) AS fired, \
     (SELECT MAX(f.created_at) FROM alert_firings f WHERE f.rule_id = r.id) AS last_fired_at \
     FROM alert_rules r LEFT JOIN tenants t ON t.id = r.tenant_id WHERE 1 = 1";

#[derive(sqlx::FromRow)]
pub(crate) struct RuleRow {
    id: i64,
    tenant_id: Option<i64>,
    tenant_slug: Option<String>,
    tenant_name: Option<String>,
    name: String,
    conditions: String,
    threshold: Option<i64>,
    window_secs: Option<i64>,
    group_by: Option<String>,
    silence_secs: Option<i64>,
    enabled: bool,
    fired: i64,
    last_fired_at: Option<i64>,
}

impl RuleRow {
    /// `links` are every `(rule_id, destination_id)`.
    pub(crate) fn into_rule(self, links: &[(i64, i64)]) -> Result<AlertRule, DbError> {
        let threshold = match (self.threshold, self.window_secs, self.group_by) {
            (Some(count), Some(window), Some(group_by)) => Some(Threshold {
                count: count as u32,
                window_secs: window as u32,
                group_by: group_by.parse::<GroupBy>().map_err(corrupt)?,
            }),
            _ => None,
        };
        Ok(AlertRule {
            id: self.id,
            tenant: tenant(self.tenant_id, self.tenant_slug, self.tenant_name),
            name: self.name,
            conditions: self.conditions,
            threshold,
            silence_secs: self.silence_secs.map(|s| s as u32),
            enabled: self.enabled,
            destinations: links
                .iter()
                .filter(|(rule, _)| *rule == self.id)
                .map(|(_, d)| *d)
                .collect(),
            fired: self.fired,
            last_fired_at: self.last_fired_at,
        })
    }
}

pub(crate) const DESTINATION_SELECT: &str = "SELECT d.id, d.tenant_id, t.slug AS tenant_slug, \
     t.name AS tenant_name, d.name, d.kind, d.target, (d.secret IS NOT NULL) AS has_secret, \
     d.consecutive_failures, d.failing_since, d.last_error, d.last_success_at \
     FROM alert_destinations d LEFT JOIN tenants t ON t.id = d.tenant_id WHERE 1 = 1";

#[derive(sqlx::FromRow)]
pub(crate) struct DestinationRow {
    id: i64,
    tenant_id: Option<i64>,
    tenant_slug: Option<String>,
    tenant_name: Option<String>,
    name: String,
    kind: String,
    target: String,
    has_secret: bool,
    consecutive_failures: i64,
    failing_since: Option<i64>,
    last_error: Option<String>,
    last_success_at: Option<i64>,
}

impl DestinationRow {
    pub(crate) fn into_destination(self) -> Result<AlertDestination, DbError> {
        Ok(AlertDestination {
            id: self.id,
            tenant: tenant(self.tenant_id, self.tenant_slug, self.tenant_name),
            name: self.name,
            kind: self.kind.parse().map_err(corrupt)?,
            target: self.target,
            has_secret: self.has_secret,
            consecutive_failures: self.consecutive_failures,
            failing_since: self.failing_since,
            last_error: self.last_error,
            last_success_at: self.last_success_at,
        })
    }
}

pub(crate) const DELIVERY_SELECT: &str = "SELECT o.id, r.name AS rule, d.name AS destination, \
     f.summary, f.event_id, o.status, o.attempts, o.last_error, o.created_at, o.sent_at, \
     o.next_attempt_at FROM alert_outbox o JOIN alert_firings f ON f.id = o.firing_id \
     JOIN alert_destinations d ON d.id = o.destination_id \
     LEFT JOIN alert_rules r ON r.id = f.rule_id WHERE 1 = 1";

#[derive(sqlx::FromRow)]
pub(crate) struct DeliveryRow {
    id: i64,
    rule: Option<String>,
    destination: String,
    summary: String,
    event_id: Option<String>,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
    next_attempt_at: i64,
}

impl DeliveryRow {
    pub(crate) fn into_delivery(self) -> Result<AlertDelivery, DbError> {
        Ok(AlertDelivery {
            id: self.id,
            rule: self.rule,
            destination: self.destination,
            summary: self.summary,
            event_id: self.event_id,
            status: self.status.parse().map_err(corrupt)?,
            attempts: self.attempts,
            last_error: self.last_error,
            created_at: self.created_at,
            sent_at: self.sent_at,
            next_attempt_at: self.next_attempt_at,
        })
    }
}

/// What the worker needs to send a claimed delivery (see `DueDelivery`).
pub(crate) const DUE_SELECT: &str =
    "SELECT o.id, o.claimed_until AS claim, o.attempts, r.name AS rule, f.summary, f.event_id, \
     f.at, f.matched, f.group_key, t.slug AS tenant_slug, t.name AS tenant_name, \
     d.id AS destination_id, d.name AS destination, d.kind, d.target, d.secret \
     FROM alert_outbox o JOIN alert_firings f ON f.id = o.firing_id \
     JOIN alert_destinations d ON d.id = o.destination_id \
     LEFT JOIN alert_rules r ON r.id = f.rule_id LEFT JOIN tenants t ON t.id = f.tenant_id";

/// A tenant "usually sends" if its last `USUAL_EVENTS` events all arrived
/// within `USUAL_SPAN_US` of each other: a quiet tenant that never sends
/// much does not page anyone.
pub(crate) const USUAL_EVENTS: i64 = 10;
pub(crate) const USUAL_SPAN_US: i64 = 7 * 24 * 3_600 * 1_000_000;

/// Every enabled "logging stopped" rule with each tenant it watches, the
/// tenant's newest event and the one `USUAL_EVENTS - 1` before it (both
/// found by `(tenant_id, seq)`, so this costs two index lookups a tenant).
pub(crate) const SILENCE_WATCHES: &str =
    "SELECT r.id AS rule_id, r.name AS rule_name, r.silence_secs, \
     t.id AS tenant_id, t.slug AS tenant_slug, t.head_seq, last.received_at AS last_at, \
     earlier.received_at AS earlier_at FROM alert_rules r \
     JOIN tenants t ON (r.tenant_id IS NULL OR r.tenant_id = t.id) AND t.slug <> $1 \
     JOIN events last ON last.tenant_id = t.id AND last.seq = t.head_seq \
     JOIN events earlier ON earlier.tenant_id = t.id AND earlier.seq = t.head_seq - $2 \
     WHERE r.enabled = TRUE AND r.silence_secs IS NOT NULL \
     AND EXISTS (SELECT 1 FROM alert_rule_destinations rd WHERE rd.rule_id = r.id)";

#[derive(sqlx::FromRow)]
pub(crate) struct SilenceWatch {
    pub rule_id: i64,
    pub rule_name: String,
    pub silence_secs: i64,
    pub tenant_id: i64,
    pub tenant_slug: String,
    pub head_seq: i64,
    pub last_at: i64,
    pub earlier_at: i64,
}

impl SilenceWatch {
    pub(crate) fn is_silent(&self, now_us: i64) -> bool {
        let usual = self.last_at - self.earlier_at <= USUAL_SPAN_US;
        usual && now_us - self.last_at >= self.silence_secs * 1_000_000
    }

    pub(crate) fn summary(&self) -> String {
        format!(
            "{} has sent no events for {} (its usual traffic stopped)",
            self.tenant_slug,
            crate::model::duration_text(self.silence_secs as u32)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(last_at: i64, earlier_at: i64) -> SilenceWatch {
        SilenceWatch {
            rule_id: 1,
            rule_name: "Logging stopped".into(),
            silence_secs: 3_600,
            tenant_id: 2,
            tenant_slug: "shop".into(),
            head_seq: 40,
            last_at,
            earlier_at,
        }
    }

    #[test]
    fn a_busy_tenant_is_silent_once_the_period_has_passed_and_not_before() {
        let hour = 3_600 * 1_000_000;
        let w = watch(10 * hour, 9 * hour);
        assert!(!w.is_silent(11 * hour - 1));
        assert!(w.is_silent(11 * hour));
        assert_eq!(
            w.summary(),
            "shop has sent no events for 1 h (its usual traffic stopped)"
        );
    }

    #[test]
    fn a_tenant_that_rarely_sends_never_counts_as_silent() {
        let day = 24 * 3_600 * 1_000_000;
        assert!(!watch(30 * day, 20 * day).is_silent(60 * day));
    }
}
