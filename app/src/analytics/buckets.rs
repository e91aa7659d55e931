//! The bars of the activity chart: hours, days or weeks that begin at the
//! viewer's local midnight (or Monday), as UTC instants. Storage counts by
//! UTC hour, so an hour is put in the bucket its start falls in; in zones a
//! half hour off UTC a day's first bar therefore starts 30 minutes early.

use crate::{
    model::Bucket,
    store::{DAY_US, HOUR_US},
};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The bucket a range gets unless the viewer picks one: about 24 to 60 bars.
pub fn auto_bucket(from: DateTime<Utc>, to: DateTime<Utc>) -> Bucket {
    let span = to - from;
    if span <= Duration::days(2) {
        Bucket::Hour
    } else if span <= Duration::days(62) {
        Bucket::Day
    } else {
        Bucket::Week
    }
}

/// `t` rounded down to its UTC hour.
pub(super) fn floor_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    floor_to(t, HOUR_US)
}

/// `t` rounded up to a UTC hour.
pub(super) fn ceil_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    ceil_to(t, HOUR_US)
}

/// `t` rounded down to its UTC day.
pub(super) fn floor_day(t: DateTime<Utc>) -> DateTime<Utc> {
    floor_to(t, DAY_US)
}

/// `t` rounded up to a UTC day.
pub(super) fn ceil_day(t: DateTime<Utc>) -> DateTime<Utc> {
    ceil_to(t, DAY_US)
}

fn floor_to(t: DateTime<Utc>, unit: i64) -> DateTime<Utc> {
    let us = t.timestamp_micros();
    DateTime::from_timestamp_micros(us - us.rem_euclid(unit)).unwrap_or(t)
}

fn ceil_to(t: DateTime<Utc>, unit: i64) -> DateTime<Utc> {
    let floor = floor_to(t, unit);
    if floor == t {
        t
    } else {
        floor + Duration::microseconds(unit)
    }
}

/// A zone by IANA name; UTC for anything unknown.
pub(super) fn zone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.parse().ok()).unwrap_or(Tz::UTC)
}

/// The buckets covering `[from, to)`, in order.
#[derive(Clone, Debug)]
pub struct Buckets {
    bucket: Bucket,
    tz: Tz,
    starts: Vec<DateTime<Utc>>,
    from: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Buckets {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>, bucket: Bucket, tz: Tz) -> Buckets {
        let mut starts = Vec::new();
        let mut at = first_start(from, bucket, tz);
        while at < to {
            starts.push(at);
            at = next_start(at, bucket, tz);
        }
        Buckets {
            bucket,
            tz,
            starts,
            from,
            end: to,
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The bucket holding the UTC hour that starts at `hour_us`.
    pub fn index_of(&self, hour_us: i64) -> Option<usize> {
        let t = DateTime::from_timestamp_micros(hour_us)?;
        if t >= self.end {
            return None;
        }
        self.starts.partition_point(|s| *s <= t).checked_sub(1)
    }

    /// `[start, end)` of bucket `i`, clipped to the range: the first and
    /// last bars may cover part of their day, and link to just that part.
    pub fn span(&self, i: usize) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.end);
        (self.starts[i].max(self.from), end)
    }

    /// Every bucket's label, in order.
    pub fn labels(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.label(i)).collect()
    }

    /// How bucket `i` reads in the viewer's zone.
    pub fn label(&self, i: usize) -> String {
        let local = self.starts[i].with_timezone(&self.tz);
        match self.bucket {
            Bucket::Hour => local.format("%b %-d %H:%M").to_string(),
            Bucket::Day => local.format("%a %b %-d").to_string(),
            Bucket::Week => format!("Week of {}", local.format("%b %-d")),
            Bucket::Month => local.format("%b %Y").to_string(),
            Bucket::Year => local.format("%Y").to_string(),
        }
    }
}

/// The start of the bucket holding `from`.
fn first_start(from: DateTime<Utc>, bucket: Bucket, tz: Tz) -> DateTime<Utc> {
    match bucket {
        Bucket::Hour => floor_hour(from),
        Bucket::Day => local_midnight(from.with_timezone(&tz).date_naive(), tz),
        Bucket::Week => {
            let day = from.with_timezone(&tz).date_naive();
            let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
            local_midnight(monday, tz)
        }
        Bucket::Month | Bucket::Year => {
            let day = from.with_timezone(&tz).date_naive();
            let month = if bucket == Bucket::Year {
                1
            } else {
                day.month()
            };
            local_midnight(
                NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day),
                tz,
            )
        }
    }
}

fn next_start(at: DateTime<Utc>, bucket: Bucket, tz: Tz) -> DateTime<Utc> {
    let day = at.with_timezone(&tz).date_naive();
    let next = match bucket {
        Bucket::Hour => return at + Duration::hours(1),
        Bucket::Day => day + Duration::days(1),
        Bucket::Week => day + Duration::days(7),
        Bucket::Month => day + Months::new(1),
        Bucket::Year => day + Months::new(12),
    };
    local_midnight(next, tz)
}

/// The first instant of `day` in `tz`: midnight, or the first hour that
/// exists where a clock change skips midnight.
fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    for hour in 0..24 {
        if let Some(t) = day
            .and_hms_opt(hour, 0, 0)
            .and_then(|naive| tz.from_local_datetime(&naive).earliest())
        {
            return t.with_timezone(&Utc);
        }
    }
    // No hour of the day exists locally (cannot happen in the tz database).
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn hours(b: &Buckets, i: usize) -> i64 {
        let (start, end) = b.span(i);
        (end - start).num_hours()
    }

    #[test]
    fn a_day_in_berlin_has_23_hours_when_clocks_go_forward_and_25_when_they_go_back() {
        let berlin = zone(Some("Europe/Berlin"));
        let spring = Buckets::new(
            utc(2026, 3, 27, 23, 0),
            utc(2026, 3, 31, 22, 0),
            Bucket::Day,
            berlin,
        );
        let lengths: Vec<i64> = (0..spring.len()).map(|i| hours(&spring, i)).collect();
        assert_eq!(lengths, vec![24, 23, 24, 24]);
        assert_eq!(spring.label(1), "Sun Mar 29");
        let autumn = Buckets::new(
            utc(2026, 10, 23, 22, 0),
            utc(2026, 10, 26, 23, 0),
            Bucket::Day,
            berlin,
        );
        let lengths: Vec<i64> = (0..autumn.len()).map(|i| hours(&autumn, i)).collect();
        assert_eq!(lengths, vec![24, 25, 24]);
    }

    #[test]
    fn an_hour_is_counted_in_the_local_day_it_starts_in() {
        let ny = zone(Some("America/New_York"));
        // 03:00 UTC on Nov 30 is 22:00 on Nov 29 in New York.
        let b = Buckets::new(
            utc(2026, 11, 28, 5, 0),
            utc(2026, 12, 1, 5, 0),
            Bucket::Day,
            ny,
        );
        let late = utc(2026, 11, 30, 3, 0).timestamp_micros();
        assert_eq!(b.label(b.index_of(late).unwrap()), "Sun Nov 29");
        let morning = utc(2026, 11, 30, 5, 0).timestamp_micros();
        assert_eq!(b.label(b.index_of(morning).unwrap()), "Mon Nov 30");
        assert_eq!(b.index_of(utc(2026, 12, 1, 5, 0).timestamp_micros()), None);
    }

    #[test]
    fn hour_buckets_show_local_time_in_a_half_hour_zone_and_keep_both_hours_when_clocks_go_back() {
        let kolkata = zone(Some("Asia/Kolkata"));
        let b = Buckets::new(
            utc(2026, 6, 1, 0, 0),
            utc(2026, 6, 1, 3, 0),
            Bucket::Hour,
            kolkata,
        );
        assert_eq!(b.len(), 3);
        assert_eq!(b.label(0), "Jun 1 05:30");
        let berlin = zone(Some("Europe/Berlin"));
        // 00:00 to 02:00 UTC on Oct 25 2026: 02:00 CEST, then 02:00 CET again.
        let b = Buckets::new(
            utc(2026, 10, 25, 0, 0),
            utc(2026, 10, 25, 2, 0),
            Bucket::Hour,
            berlin,
        );
        assert_eq!(b.len(), 2);
        assert_eq!((hours(&b, 0), hours(&b, 1)), (1, 1));
    }

    #[test]
    fn weeks_start_on_a_local_monday() {
        let tokyo = zone(Some("Asia/Tokyo"));
        // Sunday Nov 29 20:00 UTC is Monday Nov 30 05:00 in Tokyo.
        let b = Buckets::new(
            utc(2026, 11, 29, 20, 0),
            utc(2026, 12, 14, 0, 0),
            Bucket::Week,
            tokyo,
        );
        assert_eq!(
            b.span(0).0,
            utc(2026, 11, 29, 20, 0),
            "clipped to the range"
        );
        assert_eq!(b.span(1).0, utc(2026, 12, 6, 15, 0));
        assert_eq!(b.label(0), "Week of Nov 30");
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn months_and_years_start_on_the_first_local_day() {
        let berlin = zone(Some("Europe/Berlin"));
        let b = Buckets::new(
            utc(2025, 12, 15, 0, 0),
            utc(2026, 3, 2, 0, 0),
            Bucket::Month,
            berlin,
        );
        assert_eq!(
            b.labels(),
            vec!["Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026"]
        );
        assert_eq!(b.span(1).0, utc(2025, 12, 31, 23, 0));
        let b = Buckets::new(
            utc(1970, 1, 1, 0, 0),
            utc(2200, 1, 1, 0, 0),
            Bucket::Year,
            Tz::UTC,
        );
        assert_eq!(b.len(), 230);
        assert_eq!(b.label(229), "2199");
    }

    #[test]
    fn an_unknown_zone_is_utc_and_ranges_pick_their_bucket() {
        assert_eq!(zone(Some("Mars/Olympus")), Tz::UTC);
        assert_eq!(zone(None), Tz::UTC);
        let now = utc(2026, 11, 30, 12, 0);
        assert_eq!(auto_bucket(now - Duration::hours(24), now), Bucket::Hour);
        assert_eq!(auto_bucket(now - Duration::days(30), now), Bucket::Day);
        assert_eq!(auto_bucket(now - Duration::days(90), now), Bucket::Week);
        assert_eq!(floor_hour(utc(2026, 1, 1, 10, 59)), utc(2026, 1, 1, 10, 0));
        assert_eq!(ceil_hour(utc(2026, 1, 1, 10, 1)), utc(2026, 1, 1, 11, 0));
        assert_eq!(ceil_hour(utc(2026, 1, 1, 10, 0)), utc(2026, 1, 1, 10, 0));
        assert_eq!(floor_day(utc(2026, 1, 1, 10, 0)), utc(2026, 1, 1, 0, 0));
        assert_eq!(ceil_day(utc(2026, 1, 1, 10, 0)), utc(2026, 1, 2, 0, 0));
    }
}
