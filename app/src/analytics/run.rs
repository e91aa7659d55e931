//! Answering one analytics request: the range made whole hours, the counts
//! for it and for the period before, then the page.

use super::{
    buckets::{auto_bucket, ceil_hour, floor_hour, zone, Buckets},
    view::{build, Inputs},
};
use crate::{
    model::{AnalyticsRequest, AnalyticsView, Bucket, EventFilter, StackBy},
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
    let filter = request.filter.clone().or_default_range();
    let (from, to) = filter.bounds(now);
    // Counts are kept per hour: the range grows to whole hours, and every
    // link below names those hours, so the log shows exactly what was counted.
    let to = ceil_hour(to.unwrap_or(now).min(ceil_hour(now)));
    let from = from.map(floor_hour);
    let mut counted = EventFilter {
        range: None,
        from,
        to: Some(to),
        ..filter
    };
    let tallies = store.tally(scope, &counted).await?;
    let from = match from {
        Some(from) => from,
        // "All time": from the first hour with events.
        None => tallies
            .series
            .iter()
            .map(|h| h.hour)
            .min()
            .and_then(DateTime::from_timestamp_micros)
            .unwrap_or(to - Duration::days(1)),
    };
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

/// `bucket`, or a coarser one when it would draw more than `MAX_BARS` bars.
fn fitting(bucket: Bucket, span: Duration) -> Bucket {
    let bars = |b: Bucket| match b {
        Bucket::Hour => span.num_hours(),
        Bucket::Day => span.num_days(),
        Bucket::Week => span.num_weeks(),
    };
    [bucket, Bucket::Day, Bucket::Week]
        .into_iter()
        .filter(|b| {
            Bucket::ALL.iter().position(|x| x == b) >= Bucket::ALL.iter().position(|x| *x == bucket)
        })
        .find(|b| bars(*b) <= MAX_BARS)
        .unwrap_or(Bucket::Week)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_that_would_draw_too_many_bars_steps_up() {
        assert_eq!(fitting(Bucket::Hour, Duration::days(7)), Bucket::Hour);
        assert_eq!(fitting(Bucket::Hour, Duration::days(90)), Bucket::Day);
        assert_eq!(fitting(Bucket::Day, Duration::days(3000)), Bucket::Week);
        assert_eq!(fitting(Bucket::Week, Duration::days(7)), Bucket::Week);
    }
}
