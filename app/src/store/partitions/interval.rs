//! How long one events partition spans on PostgreSQL, and the span that
//! holds a moment.

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use serde::Deserialize;

/// The span of one partition, in UTC. A month suits a year of retention
/// (twelve partitions, each dropped whole); a day suits a week of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionInterval {
    #[default]
    Month,
    Week,
    Day,
}

impl PartitionInterval {
    /// The span `[lo, hi)` in microseconds that holds `t_us`: the calendar
    /// month, the week from Monday, or the day.
    pub fn span(self, t_us: i64) -> (i64, i64) {
        let t = DateTime::from_timestamp_micros(t_us).unwrap_or_default();
        let day = t.date_naive();
        let (lo, hi) = match self {
            PartitionInterval::Month => {
                let lo = first_of_month(day.year(), day.month());
                let hi = if day.month() == 12 {
                    first_of_month(day.year() + 1, 1)
                } else {
                    first_of_month(day.year(), day.month() + 1)
                };
                (lo, hi)
            }
            PartitionInterval::Week => {
                let lo = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
                (lo, lo + Duration::days(7))
            }
            PartitionInterval::Day => (day, day + Duration::days(1)),
        };
        (micros(lo), micros(hi))
    }

    /// Its name in PostgreSQL's `date_trunc` and intervals.
    pub fn sql_name(self) -> &'static str {
        match self {
            PartitionInterval::Month => "month",
            PartitionInterval::Week => "week",
            PartitionInterval::Day => "day",
        }
    }

    /// The spans from the one holding `from_us` through the one holding
    /// `to_us`, oldest first.
    pub fn spans(self, from_us: i64, to_us: i64) -> Vec<(i64, i64)> {
        let mut spans = vec![self.span(from_us)];
        while let Some(&(_, hi)) = spans.last() {
            if hi > to_us {
                break;
            }
            spans.push(self.span(hi));
        }
        spans
    }
}

/// The first event id minted at `us` (microseconds since 1970): ids are
/// ULIDs minted on receipt, whose leading 48 bits are that millisecond, so
/// this bounds a partition (`logbook_ulid_floor` in the migration).
pub(crate) fn ulid_floor(us: i64) -> String {
    ulid::Ulid::from_parts((us.max(0) / 1000) as u64, 0).to_string()
}

fn first_of_month(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
}

fn micros(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(y: i32, m: u32, d: u32, h: u32) -> i64 {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn a_month_runs_from_its_first_day_to_the_next_months_and_december_into_january() {
        let (lo, hi) = PartitionInterval::Month.span(at(2026, 12, 7, 15));
        assert_eq!((lo, hi), (at(2026, 12, 1, 0), at(2027, 1, 1, 0)));
        let (lo, hi) = PartitionInterval::Month.span(at(2026, 2, 28, 23));
        assert_eq!((lo, hi), (at(2026, 2, 1, 0), at(2026, 3, 1, 0)));
    }

    #[test]
    fn a_week_starts_on_monday_and_a_day_at_midnight_utc() {
        // 2026-12-07 is a Monday, 2026-12-13 a Sunday.
        let week = PartitionInterval::Week;
        assert_eq!(
            week.span(at(2026, 12, 13, 23)),
            (at(2026, 12, 7, 0), at(2026, 12, 14, 0))
        );
        assert_eq!(week.span(at(2026, 12, 7, 0)).0, at(2026, 12, 7, 0));
        let day = PartitionInterval::Day.span(at(2026, 12, 7, 15));
        assert_eq!(day, (at(2026, 12, 7, 0), at(2026, 12, 8, 0)));
    }

    #[test]
    fn the_spans_between_two_moments_follow_each_other_without_gaps() {
        let spans = PartitionInterval::Month.spans(at(2026, 11, 20, 0), at(2027, 1, 1, 0));
        assert_eq!(
            spans,
            [
                (at(2026, 11, 1, 0), at(2026, 12, 1, 0)),
                (at(2026, 12, 1, 0), at(2027, 1, 1, 0)),
                (at(2027, 1, 1, 0), at(2027, 2, 1, 0)),
            ]
        );
        assert_eq!(
            PartitionInterval::Day
                .spans(at(2026, 1, 1, 5), at(2026, 1, 1, 6))
                .len(),
            1
        );
    }

    #[test]
    fn an_id_bound_is_the_ulid_of_its_first_millisecond_as_postgresql_computes_it() {
        // `SELECT logbook_ulid_floor(1796083200000000)` on PostgreSQL.
        assert_eq!(ulid_floor(at(2026, 12, 1, 0)), "01M8QEDC000000000000000000");
        let minted = ulid::Ulid::from_parts(1_796_083_200_123, 42).to_string();
        assert!(ulid_floor(at(2026, 12, 1, 0)) < minted);
        assert!(minted < ulid_floor(at(2026, 12, 1, 1)));
    }

    #[test]
    fn the_interval_is_configured_by_its_lowercase_name() {
        let parsed: PartitionInterval = serde_json::from_str("\"week\"").unwrap();
        assert_eq!(parsed, PartitionInterval::Week);
    }
}
