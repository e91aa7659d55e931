//! Counts behind the analytics page: grouped reads of the rollups (see
//! `rollups`), or of the events themselves when the filter names something
//! the rollups do not keep (words, resource, IP, tag).

use crate::model::{EventFilter, Field, Terms};
use crate::store::{
    backend::Dialect,
    error::DbError,
    events::{filter::push_filter_at, query::FROM_EVENTS},
    scope::TenantScope,
    sql::Sql,
    tallies::rollups::{hour_of, Period, Rollup, DAY_US, ROLLUPS},
};
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
        let unkept = [
            Field::ResourceType,
            Field::ResourceId,
            Field::Ip,
            Field::Tag,
        ];
        for field in unkept {
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
}

/// The category of sign-ins and one-time codes.
pub const AUTH_CATEGORY: &str = "auth";
/// Most active actors, failing addresses and accounts listed.
pub const TOP: i64 = 10;

/// Which table a grouped read runs on, and its column expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Rollup(&'static Rollup),
    Events,
}

/// What a grouped read needs of its table besides the filter's columns.
#[derive(Clone, Copy, Debug, Default)]
pub struct Need<'a> {
    /// Columns it groups by.
    pub group: &'a [&'a str],
    /// The newest `occurred_at` per group.
    pub last_at: bool,
    /// It reads only events that did not succeed.
    pub failing: bool,
    /// Per UTC day will do (the range is whole days).
    pub by_day: bool,
}

impl Table {
    /// The narrowest rollup holding every column the filter and the read
    /// use (daily ones first when whole days will do), or the events.
    pub fn pick(source: TallySource, filter: &EventFilter, need: Need) -> Table {
        if source != TallySource::Rollups {
            return Table::Events;
        }
        let mut columns = filter_columns(filter);
        columns.extend(need.group.iter().copied());
        if need.failing {
            columns.push("outcome");
        }
        let fits = |r: &&Rollup| {
            (r.period == Period::Hour || need.by_day)
                && columns.iter().all(|c| r.columns.contains(c))
                && (r.last_at || !need.last_at)
                && (need.failing || !r.failures_only)
        };
        ROLLUPS
            .iter()
            .filter(fits)
            .min_by_key(|r| (r.period != Period::Day, r.columns.len()))
            .map_or(Table::Events, Table::Rollup)
    }

    /// Whether this is the rollup named `table`.
    pub fn is_table(self, table: &str) -> bool {
        matches!(self, Table::Rollup(r) if r.table == table)
    }

    fn from(self) -> String {
        match self {
            Table::Rollup(r) => format!("FROM {} e WHERE 1 = 1", r.table),
            Table::Events => FROM_EVENTS.into(),
        }
    }

    /// The start of each row's period: its hour, or its day.
    fn hour(self) -> String {
        match self {
            Table::Events => hour_of("e.occurred_at"),
            other => other.time(),
        }
    }

    fn time(self) -> String {
        match self {
            Table::Events => "e.occurred_at".into(),
            Table::Rollup(r) => format!("e.{}", r.period.column()),
        }
    }

    fn n(self) -> &'static str {
        match self {
            Table::Events => "CAST(COUNT(*) AS BIGINT)",
            Table::Rollup(_) => "CAST(SUM(e.n) AS BIGINT)",
        }
    }

    fn last(self) -> &'static str {
        match self {
            Table::Events => "MAX(e.occurred_at)",
            Table::Rollup(_) => "MAX(e.last_at)",
        }
    }

    fn text(self, column: &str) -> String {
        match self {
            Table::Events => format!("COALESCE(e.{column}, '')"),
            Table::Rollup(_) => format!("e.{column}"),
        }
    }
}

/// The event columns a filter's terms compare (an actor by id, email or name).
fn filter_columns(filter: &EventFilter) -> Vec<&'static str> {
    let mut columns = Vec::new();
    for terms in [&filter.is, &filter.not] {
        if terms.actor.is_some() {
            columns.extend(["actor_id", "actor_email", "actor_name"]);
        }
        if terms.actor_type.is_some() {
            columns.push("actor_type");
        }
        if !terms.actions.is_empty() {
            columns.push("action");
        }
        if terms.category.is_some() {
            columns.push("category");
        }
        if terms.event_type.is_some() {
            columns.push("event_type");
        }
        if terms.outcome.is_some() {
            columns.push("outcome");
        }
        if terms.severity.is_some() {
            columns.push("severity");
        }
    }
    columns
}

/// Whether the filter's range is whole UTC days, so that the daily
/// rollups answer it exactly.
pub fn whole_days(filter: &EventFilter) -> bool {
    let whole = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.is_none_or(|t| t.timestamp_micros().rem_euclid(DAY_US) == 0)
    };
    filter.range.is_none() && whole(filter.from) && whole(filter.to)
}

/// The filter narrowed to sign-ins and one-time codes, or `None` when it
/// already excludes them.
pub fn auth_filter(filter: &EventFilter) -> Option<EventFilter> {
    match filter.is.category.as_deref() {
        Some(c) if c != AUTH_CATEGORY => None,
        _ if filter.not.category.as_deref() == Some(AUTH_CATEGORY) => None,
        _ => Some(EventFilter {
            is: Terms {
                category: Some(AUTH_CATEGORY.into()),
                ..filter.is.clone()
            },
            ..filter.clone()
        }),
    }
}

/// `<prefix>SELECT <columns> FROM <table> WHERE <scope and filter>`.
fn select<D: Dialect>(
    prefix: &str,
    columns: &str,
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = Sql::new(format!("{prefix}SELECT {columns} {}", table.from()));
    push_filter_at(&mut qb, scope, filter, None, &table.time());
    qb
}

/// Events per hour, grouped by two columns.
pub fn select_hours<D: Dialect>(
    table: Table,
    a: &str,
    b: &str,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let columns = format!(
        "{} AS hour, e.{a} AS a, e.{b} AS b, {} AS n",
        table.hour(),
        table.n()
    );
    let mut qb = select("", &columns, table, scope, filter);
    qb.push(" GROUP BY 1, 2, 3");
    qb
}

/// Events per action, event type, category and outcome.
pub fn select_mix<D: Dialect>(table: Table, scope: &TenantScope, filter: &EventFilter) -> Sql<D> {
    let columns = format!(
        "e.action AS action, e.event_type AS event_type, e.category AS category, \
         e.outcome AS outcome, {} AS n",
        table.n()
    );
    let mut qb = select("", &columns, table, scope, filter);
    qb.push(" GROUP BY 1, 2, 3, 4");
    qb
}

/// The `TOP` actors with the most events; `failing` counts only events that
/// did not succeed.
pub fn select_top_actors<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
    failing: bool,
) -> Sql<D> {
    let columns = format!(
        "e.tenant_id AS tenant_id, e.actor_id AS actor_id, MAX({}) AS actor_name, \
         MAX({}) AS actor_email, {} AS n, {} AS last_at",
        table.text("actor_name"),
        table.text("actor_email"),
        table.n(),
        table.last()
    );
    let mut qb = select(
        "SELECT t.slug AS tenant, a.actor_id, a.actor_name, a.actor_email, a.n, a.last_at FROM (",
        &columns,
        table,
        scope,
        filter,
    );
    if failing {
        qb.push(" AND e.outcome <> 'success'");
    }
    qb.push(format!(
        " GROUP BY 1, 2 ORDER BY 5 DESC, 2 LIMIT {TOP}) AS a \
         CROSS JOIN tenants t WHERE t.id = a.tenant_id ORDER BY a.n DESC, a.actor_id"
    ));
    qb
}

/// The `TOP` addresses of events that did not succeed.
pub fn select_failing_ips<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let ip = table.text("ip");
    let columns = format!("{ip} AS key, {} AS n", table.n());
    let mut qb = select("", &columns, table, scope, filter);
    qb.push(format!(
        " AND e.outcome <> 'success' AND {ip} <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
    ));
    qb
}

/// How many actors (per tenant) have events.
pub fn select_distinct_actors<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = select(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (",
        "DISTINCT e.tenant_id, e.actor_id",
        table,
        scope,
        filter,
    );
    qb.push(") AS actors");
    qb
}

/// All events, and those that did not succeed.
pub fn select_totals<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let n = match table {
        Table::Events => "1",
        _ => "e.n",
    };
    let columns = format!(
        "CAST(COALESCE(SUM({n}), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.outcome <> 'success' THEN {n} ELSE 0 END), 0) AS BIGINT)"
    );
    select("", &columns, table, scope, filter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;

    #[test]
    fn filters_the_rollups_keep_are_counted_from_them_and_others_from_events() {
        let mut filter = EventFilter::default();
        assert_eq!(TallySource::for_filter(&filter), TallySource::Rollups);
        filter.not.ip = Some("10.0.0.1".into());
        assert_eq!(
            TallySource::for_filter(&filter),
            TallySource::Events(Field::Ip)
        );
        assert_eq!(
            Table::pick(TallySource::Events(Field::Ip), &filter, Need::default()),
            Table::Events
        );
        filter.text = Some("hwid".into());
        assert_eq!(TallySource::for_filter(&filter), TallySource::EventsForText);
    }

    #[test]
    fn each_read_takes_the_narrowest_rollup_holding_its_columns() {
        let table = |filter: &EventFilter, need: Need| match Table::pick(
            TallySource::Rollups,
            filter,
            need,
        ) {
            Table::Rollup(r) => r.table,
            Table::Events => "events",
        };
        let series = Need {
            group: &["category", "outcome"],
            ..Need::default()
        };
        let mut filter = EventFilter::default();
        assert_eq!(table(&filter, series), "rollup_activity");
        let actors = Need {
            group: &["actor_id", "actor_name", "actor_email"],
            last_at: true,
            by_day: true,
            ..Need::default()
        };
        assert_eq!(table(&filter, actors), "rollup_actor_totals");
        let ips = Need {
            group: &["ip"],
            failing: true,
            by_day: true,
            ..Need::default()
        };
        assert_eq!(table(&filter, ips), "rollup_failing_ips");
        let hourly_ips = Need {
            by_day: false,
            ..ips
        };
        assert_eq!(table(&filter, hourly_ips), "rollup_actors");
        // An action filter needs the action: the wide tables.
        filter.is.actions = vec!["license.*".into()];
        assert_eq!(table(&filter, series), "rollup_hours");
        assert_eq!(table(&filter, actors), "rollup_actor_days");
        filter.not.outcome = Some(Outcome::Success);
        filter.is.actor = Some("alice@shop.io".into());
        assert_eq!(table(&filter, series), "rollup_actors");
        // Nothing that counts successes reads a table of failures.
        let all = Need {
            group: &["outcome"],
            by_day: true,
            ..Need::default()
        };
        assert_eq!(table(&EventFilter::default(), all), "rollup_actor_totals");
    }

    #[test]
    fn only_a_range_of_whole_utc_days_is_read_from_the_daily_rollups() {
        use chrono::TimeZone;
        let day = |d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let mut filter = EventFilter {
            from: Some(day(1, 0)),
            to: Some(day(30, 0)),
            ..EventFilter::default()
        };
        assert!(whole_days(&filter));
        filter.to = Some(day(30, 17));
        assert!(!whole_days(&filter));
        filter.to = None;
        assert!(whole_days(&filter));
        filter.range = Some(crate::model::QuickRange::Week);
        assert!(!whole_days(&filter));
    }

    #[test]
    fn the_auth_filter_narrows_to_sign_ins_unless_the_filter_excludes_them() {
        let any = EventFilter::default();
        assert_eq!(
            auth_filter(&any).and_then(|f| f.is.category),
            Some(AUTH_CATEGORY.to_string())
        );
        let mut keys = EventFilter::default();
        keys.is.category = Some("keys".into());
        assert_eq!(auth_filter(&keys), None);
        let mut not_auth = EventFilter::default();
        not_auth.not.category = Some(AUTH_CATEGORY.into());
        assert_eq!(auth_filter(&not_auth), None);
    }
}
