//! Which table answers a grouped read: the narrowest rollup that keeps
//! every column the filter and the read use, or the events themselves.

use crate::model::{EventFilter, Field, Terms};
use crate::store::{
    events::query::FROM_EVENTS,
    tallies::{
        api::{TallySource, AUTH_CATEGORY},
        rollups::{hour_of, Period, Rollup, DAY_US, ROLLUPS},
    },
};

/// Which table a grouped read runs on, and its column expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    Rollup(&'static Rollup),
    Events,
}

/// What a grouped read needs of its table besides the filter's columns.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Need<'a> {
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
    pub(crate) fn pick(source: TallySource, filter: &EventFilter, need: Need) -> Table {
        // A viewer token's pin names columns (an actor id, a resource) no
        // rollup keeps: only the events can answer it.
        if source != TallySource::Rollups || filter.pin.is_some() {
            return Table::Events;
        }
        let mut columns = filter_columns(filter);
        columns.extend(need.group.iter().copied());
        if need.failing {
            columns.push("outcome");
        }
        let fits = |r: &&Rollup| {
            (r.period == Period::Hour || (r.period == Period::Day && need.by_day))
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
    pub(crate) fn is_table(self, table: &str) -> bool {
        matches!(self, Table::Rollup(r) if r.table == table)
    }

    pub(crate) fn from(self) -> String {
        match self {
            Table::Rollup(r) => format!("FROM {} e WHERE 1 = 1", r.table),
            Table::Events => FROM_EVENTS.into(),
        }
    }

    /// The start of each row's period: its hour, or its day.
    pub(crate) fn hour(self) -> String {
        match self {
            Table::Events => hour_of("e.occurred_at"),
            other => other.time(),
        }
    }

    pub(crate) fn time(self) -> String {
        match self {
            Table::Events => "e.occurred_at".into(),
            Table::Rollup(r) => format!("e.{}", r.period.column()),
        }
    }

    pub(crate) fn n(self) -> &'static str {
        match self {
            Table::Events => "CAST(COUNT(*) AS BIGINT)",
            Table::Rollup(_) => "CAST(SUM(e.n) AS BIGINT)",
        }
    }

    pub(crate) fn last(self) -> &'static str {
        match self {
            Table::Events => "MAX(e.occurred_at)",
            Table::Rollup(_) => "MAX(e.last_at)",
        }
    }

    pub(crate) fn text(self, column: &str) -> String {
        match self {
            Table::Events => format!("COALESCE(e.{column}, '')"),
            Table::Rollup(_) => format!("e.{column}"),
        }
    }
}

/// The event columns a filter's terms compare.
fn filter_columns(filter: &EventFilter) -> Vec<&'static str> {
    let mut columns = Vec::new();
    for terms in [&filter.is, &filter.not] {
        for field in Field::ALL {
            if !terms.get(field).is_empty() {
                columns.extend(field.columns());
            }
        }
    }
    columns
}

/// Whether the rollups keep what a condition on `field` compares. A match,
/// not a list, so that a new field cannot be forgotten here.
pub(crate) fn kept_in_rollups(field: Field) -> bool {
    match field {
        Field::Actor
        | Field::ActorType
        | Field::Action
        | Field::Category
        | Field::EventType
        | Field::Outcome
        | Field::Severity => true,
        // The IP is kept, but only of failures (`rollup_failing_ips`).
        Field::ResourceType | Field::ResourceId | Field::Ip | Field::Tag => false,
    }
}

/// Whether the filter's range is whole UTC days, so that the daily
/// rollups answer it exactly.
pub(crate) fn whole_days(filter: &EventFilter) -> bool {
    let whole = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.is_none_or(|t| t.timestamp_micros().rem_euclid(DAY_US) == 0)
    };
    filter.range.is_none() && whole(filter.from) && whole(filter.to)
}

/// The filter narrowed to sign-ins and one-time codes, or `None` when it
/// already excludes them.
pub(crate) fn auth_filter(filter: &EventFilter) -> Option<EventFilter> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_a_field_the_rollups_keep_is_in_the_widest_rollup() {
        let widest = ROLLUPS.iter().max_by_key(|r| r.columns.len()).unwrap();
        for field in Field::ALL.into_iter().filter(|f| kept_in_rollups(*f)) {
            for column in field.columns() {
                assert!(widest.columns.contains(column), "{field:?}: {column}");
            }
        }
    }
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
