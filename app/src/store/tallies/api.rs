//! What the analytics page asks the store for, and what it gets back.

use crate::model::{EventFilter, Field};
use crate::store::{error::DbError, scope::TenantScope, tallies::pick::kept_in_rollups};
use async_trait::async_trait;

/// Where a tally was counted, and why not from the rollups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TallySource {
    Rollups,
    /// The filter names a field the rollups do not keep.
    Events(Field),
    /// Words are searched in the events.
    EventsForText,
}

impl TallySource {
    /// Which source answers this filter.
    pub fn for_filter(filter: &EventFilter) -> TallySource {
        if filter.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
            return TallySource::EventsForText;
        }
        for field in Field::ALL.into_iter().filter(|f| !kept_in_rollups(*f)) {
            if !filter.is.get(field).is_empty() || !filter.not.get(field).is_empty() {
                return TallySource::Events(field);
            }
        }
        TallySource::Rollups
    }
}

/// Events in one UTC hour with two grouping values.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HourCount {
    pub hour: i64,
    pub a: String,
    pub b: String,
    pub n: i64,
}

/// Events of one kind over the whole range.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MixCount {
    pub action: String,
    pub event_type: String,
    pub category: String,
    pub outcome: String,
    pub n: i64,
}

/// One actor's events over the whole range.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ActorCount {
    pub tenant: String,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_email: String,
    pub n: i64,
    pub last_at: i64,
}

/// Events of one address.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct KeyCount {
    pub key: String,
    pub n: i64,
}

/// Everything the analytics page counts for one filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tallies {
    pub source: TallySource,
    /// By hour, category (`a`) and outcome (`b`).
    pub series: Vec<HourCount>,
    pub mix: Vec<MixCount>,
    /// Sign-in and one-time-code events by hour, action (`a`) and outcome (`b`).
    pub auth_series: Vec<HourCount>,
    /// The most active, most first.
    pub top_actors: Vec<ActorCount>,
    pub distinct_actors: i64,
    /// Sign-in events that did not succeed, by address and by account.
    pub failing_ips: Vec<KeyCount>,
    pub failing_accounts: Vec<ActorCount>,
}

/// What the previous period is compared on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub events: i64,
    pub failures: i64,
    pub distinct_actors: i64,
}

#[async_trait]
pub trait TallyStore {
    /// Every count of the page, in one read transaction. `filter` must be
    /// pinned to an hour-aligned `from` and `to`.
    async fn tally(&self, scope: &TenantScope, filter: &EventFilter) -> Result<Tallies, DbError>;

    /// Events per hour and outcome (`a` and `b` both the outcome), for a sparkline.
    async fn activity(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
    ) -> Result<Vec<HourCount>, DbError>;

    /// Just the headline numbers, for the previous period.
    async fn tally_totals(
        &self,
        scope: &TenantScope,
        filter: &EventFilter,
    ) -> Result<Totals, DbError>;

    /// The rollup tables that no longer equal a GROUP BY over the events,
    /// across every tenant; empty when the analytics counts are exact.
    async fn rollup_mismatches(&self) -> Result<Vec<&'static str>, DbError>;
}

/// The category of sign-ins and one-time codes.
pub const AUTH_CATEGORY: &str = "auth";
/// Most active actors, failing addresses and accounts listed.
pub(crate) const TOP: i64 = 10;
