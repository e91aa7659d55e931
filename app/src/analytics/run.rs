//! Answering one analytics request: the range made whole hours, the counts
//! for it and for the period before, then the page.

use super::{
    buckets::{auto_bucket, ceil_day, ceil_hour, floor_day, floor_hour, zone, Buckets},
    view::{build, Inputs},
};
use crate::{
    model::{
        time_window, AnalyticsRequest, AnalyticsView, Bucket, EventFilter, Sparkline, StackBy,
    },
    store::{DbError, Store, TenantScope},
};
use chrono::{DateTime, Duration, Utc};

/// Bars in the activity chart at most; a finer bucket steps up to fit.
const MAX_BARS: i64 = 400;

pub async fn analytics(
    store: &dyn Store,
    scope: &TenantScope,
    request: AnalyticsRequest,
    now: DateTime<Utc>,
) -> Result<AnalyticsView, DbError> {
    let mut counted = counted_filter(&request.filter, now);
    let tallies = store.tally(scope, &counted).await?;
    let (from, to) = bounds(&counted, tallies.series.iter().map(|h| h.hour));
    counted.from = Some(from);
    let span = to - from;
    let previous = store
        .tally_totals(
            scope,
            &EventFilter {
                from: Some(from - span),
                to: Some(from),
                ..counted.clone()
            },
        )
        .await?;
    let tz = zone(request.tz.as_deref());
    let bucket = fitting(
        request.bucket.unwrap_or_else(|| auto_bucket(from, to)),
        span,
    );
    Ok(build(Inputs {
        buckets: Buckets::new(from, to, bucket, tz),
        bucket,
        stack: request.stack.unwrap_or(StackBy::Outcome),
        tz: tz.name().to_string(),
        request,
        filter: counted,
        from,
        to,
        tallies,
        previous,
    }))
}

/// The log page's sparkline: events per bucket for its filter.
pub async fn sparkline(
    store: &dyn Store,
    scope: &TenantScope,
    filter: &EventFilter,
    tz: Option<String>,
    now: DateTime<Utc>,
) -> Result<Sparkline, DbError> {
    let mut counted = counted_filter(filter, now);
    let hours = store.activity(scope, &counted).await?;
    let (from, to) = bounds(&counted, hours.iter().map(|h| h.hour));
    counted.from = Some(from);
    let bucket = fitting(auto_bucket(from, to), to - from);
    let buckets = Buckets::new(from, to, bucket, zone(tz.as_deref()));
    let mut values = vec![0i64; buckets.len()];
    for h in &hours {
        if let Some(b) = buckets.index_of(h.hour) {
            values[b] += h.n;
        }
    }
    let svg = super::charts::sparkline(buckets.labels(), &values, |b| {
        let (from, to) = buckets.span(b);
        let f = EventFilter {
            from: Some(from),
            to: Some(to),
            ..counted.clone()
        };
        Some(crate::ui::log_href(&f, None))
    });
    Ok(Sparkline {
        svg,
        total: values.iter().sum(),
        bucket,
        analytics_href: AnalyticsRequest {
            filter: filter.clone(),
            tz,
            ..Default::default()
        }
        .href(),
    })
}

/// The filter with its range made whole UTC hours, or whole UTC days when
/// it is longer than two days (counts are kept per hour and per day, and a
/// month read by day is a tenth of the rows). Every link drawn from it names
/// those hours or days, so the log shows exactly what was counted.
pub fn counted_filter(filter: &EventFilter, now: DateTime<Utc>) -> EventFilter {
    let filter = filter.clone().or_default_range();
    let (from, to) = filter.bounds(now);
    let (from, to) = (
        from.map(floor_hour),
        ceil_hour(to.unwrap_or(now).min(ceil_hour(now))),
    );
    let (from, to) = match from {
        Some(from) if to - from <= DAY_RANGE => (Some(from), to),
        _ => (from.map(floor_day), ceil_day(to)),
    };
    EventFilter {
        range: None,
        from,
        to: Some(to),
        ..filter
    }
}

/// Ranges up to this long are counted by the hour; longer ones by the day.
const DAY_RANGE: Duration = Duration::days(2);

/// `[from, to)` of a counted filter; "all time" starts at the first hour
/// with events (or a day before `to` when there are none).
fn bounds(
    counted: &EventFilter,
    hours: impl Iterator<Item = i64>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let to = counted.to.unwrap_or_default();
    let from = counted.from.unwrap_or_else(|| {
        hours
            .min()
            .and_then(DateTime::from_timestamp_micros)
            .map(|first| floor_day(time_window::clamp(first)))
            .unwrap_or(to - Duration::days(1))
    });
    (from, to)
}

/// `bucket`, or the first coarser one that draws at most `MAX_BARS` bars.
/// Every range inside the time window fits in years.
fn fitting(bucket: Bucket, span: Duration) -> Bucket {
    let days = span.num_days();
    let bars = |b: Bucket| match b {
        Bucket::Hour => span.num_hours(),
        Bucket::Day => days,
        Bucket::Week => days / 7,
        Bucket::Month => days / 28,
        Bucket::Year => days / 365,
    };
    Bucket::ALL
        .iter()
        .copied()
        .skip_while(|b| *b != bucket)
        .find(|b| bars(*b) <= MAX_BARS)
        .unwrap_or(Bucket::Year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_that_would_draw_too_many_bars_steps_up() {
        assert_eq!(fitting(Bucket::Hour, Duration::days(7)), Bucket::Hour);
        assert_eq!(fitting(Bucket::Hour, Duration::days(90)), Bucket::Day);
        assert_eq!(fitting(Bucket::Day, Duration::days(2_500)), Bucket::Week);
        assert_eq!(fitting(Bucket::Week, Duration::days(7)), Bucket::Week);
        assert_eq!(
            fitting(Bucket::Week, Duration::days(27 * 365)),
            Bucket::Month
        );
        assert_eq!(
            fitting(Bucket::Hour, Duration::days(230 * 365)),
            Bucket::Year
        );
    }
}
