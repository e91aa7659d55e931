//! Alert rules, destinations and the outbox: what the Alerts page edits and
//! the delivery worker drains. Matching happens inside `append` (see
//! `alerts_sql::fire_alert_rules`), so a notification is queued in the same
//! transaction as the event it is about, or not at all.

use crate::model::{AlertDelivery, AlertDestination, AlertRule, DestinationKind, Threshold};
use crate::store::{error::DbError, scope::TenantScope};
use async_trait::async_trait;

/// A rule as saved from the page; `id` set to change an existing one.
#[derive(Clone, Debug)]
pub struct RuleInput {
    pub id: Option<i64>,
    pub tenant_id: Option<i64>,
    pub name: String,
    /// A query-bar line, already checked by `rule_conditions`.
    pub conditions: String,
    pub threshold: Option<Threshold>,
    pub silence_secs: Option<u32>,
    pub enabled: bool,
    pub destinations: Vec<i64>,
    pub by: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct DestinationInput {
    pub tenant_id: Option<i64>,
    pub name: String,
    pub kind: DestinationKind,
    pub target: String,
    pub secret: Option<String>,
    pub by: Option<i64>,
}

/// A delivery claimed by the worker, with all it needs to send it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    /// When this claim runs out: also the claim's fence. Recording the
    /// attempt checks it, so a worker that stalled past its claim while
    /// another took the delivery over records nothing.
    pub claim: i64,
    pub attempts: i64,
    pub rule: Option<String>,
    pub summary: String,
    pub event_id: Option<String>,
    pub at: i64,
    pub matched: i64,
    pub group_key: Option<String>,
    pub tenant_slug: Option<String>,
    pub tenant_name: Option<String>,
    pub destination_id: i64,
    pub destination: String,
    pub kind: String,
    pub target: String,
    pub secret: Option<String>,
}

/// What a failed attempt did to its destination's health.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Unchanged,
    /// This failure made it `failing` (after `FAILING_AFTER` in a row).
    BecameFailing,
    /// This success ended a failing stretch.
    Recovered,
    /// The claim ran out and the delivery went to another worker before
    /// this attempt was recorded: nothing was recorded.
    ClaimLost,
}

/// Failures in a row after which a destination is shown (and logged) as failing.
pub(crate) const FAILING_AFTER: i64 = 3;

/// The firing a "logging stopped" rule made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Silence {
    pub rule: String,
    pub tenant: String,
    pub last_event_at: i64,
}

#[async_trait]
pub trait AlertStore {
    /// Rules visible in the scope (staff-wide ones only to all-tenant scopes).
    async fn alert_rules(&self, scope: &TenantScope) -> Result<Vec<AlertRule>, DbError>;

    /// Creates or changes a rule; `None` if it, its tenant or one of its
    /// destinations is outside the scope.
    async fn save_alert_rule(
        &self,
        scope: &TenantScope,
        rule: &RuleInput,
    ) -> Result<Option<AlertRule>, DbError>;

    /// Deletes a rule (its pending deliveries with it); `None` if not visible.
    async fn delete_alert_rule(
        &self,
        scope: &TenantScope,
        id: i64,
    ) -> Result<Option<AlertRule>, DbError>;

    async fn alert_destinations(
        &self,
        scope: &TenantScope,
    ) -> Result<Vec<AlertDestination>, DbError>;

    async fn save_alert_destination(
        &self,
        scope: &TenantScope,
        destination: &DestinationInput,
    ) -> Result<Option<AlertDestination>, DbError>;

    async fn delete_alert_destination(
        &self,
        scope: &TenantScope,
        id: i64,
    ) -> Result<Option<AlertDestination>, DbError>;

    /// The newest deliveries to destinations in the scope.
    async fn alert_deliveries(
        &self,
        scope: &TenantScope,
        limit: i64,
    ) -> Result<Vec<AlertDelivery>, DbError>;

    /// Queues a test message to a destination through the outbox, exactly
    /// as a real notification travels; `None` if the destination is not visible.
    async fn queue_test_message(
        &self,
        scope: &TenantScope,
        destination_id: i64,
        summary: &str,
        now_us: i64,
    ) -> Result<Option<i64>, DbError>;

    /// Leases up to `limit` due deliveries until `now_us + lease_us`, so
    /// two workers never send the same one; none to the destinations in
    /// `busy` (a worker still sending to them).
    async fn claim_deliveries(
        &self,
        now_us: i64,
        lease_us: i64,
        limit: i64,
        busy: &[i64],
    ) -> Result<Vec<DueDelivery>, DbError>;

    /// Gives back claimed deliveries not attempted (a worker stopping), so
    /// the next worker need not wait for their lease to run out; one whose
    /// claim already passed to another worker stays with that worker.
    async fn release_deliveries(&self, claimed: &[DueDelivery]) -> Result<(), DbError>;

    async fn delivery_sent(&self, delivery: &DueDelivery, now_us: i64) -> Result<Health, DbError>;

    /// Records a failed attempt; `retry_at` none gives the delivery up
    /// (status `failed`, kept and shown).
    async fn delivery_failed(
        &self,
        delivery: &DueDelivery,
        error: &str,
        now_us: i64,
        retry_at: Option<i64>,
    ) -> Result<Health, DbError>;

    /// Fires "logging stopped" rules for tenants that sent events in the
    /// week before going quiet and have now been quiet longer than the
    /// rule's period; once per quiet stretch.
    async fn fire_silences(&self, now_us: i64) -> Result<Vec<Silence>, DbError>;
}
