//! From counts to the page: the activity chart in the viewer's zone, the
//! actor lists, and for every bar, slice and row the log filtered to
//! exactly its events (headlines, sign-ins and distributions have their own
//! modules).

use super::{
    auth,
    buckets::Buckets,
    charts::{outcome_colour, palette, stacked_bars, Stack},
    distribution, headlines,
};
use crate::{
    model::{
        AnalyticsRequest, AnalyticsView, Bucket, ChartView, DataRow, DataTable, EventFilter,
        Outcome, RankedRow, StackBy,
    },
    store::{ActorCount, HourCount, KeyCount, Tallies, TallySource, Totals},
    ui::log_href,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// What `build` works from.
pub(super) struct Inputs {
    pub request: AnalyticsRequest,
    /// The filter as counted: hour-aligned `from` and `to`, no quick range.
    pub filter: EventFilter,
    pub buckets: Buckets,
    pub bucket: Bucket,
    pub stack: StackBy,
    pub tz: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub tallies: Tallies,
    pub previous: Totals,
}

pub(super) fn build(i: Inputs) -> AnalyticsView {
    let totals = headlines::current_totals(&i.tallies);
    let mut charts = vec![activity_chart(&i), auth::auth_chart(&i)];
    charts.extend(distribution::distribution_charts(&i));
    AnalyticsView {
        headlines: headlines::headlines(&totals, &i.previous, &i.tallies, i.to - i.from),
        source_note: source_note(i.tallies.source),
        top_actors: actor_rows(&i.filter, &i.tallies.top_actors, |_| {}),
        failing_accounts: actor_rows(&i.filter, &i.tallies.failing_accounts, failing_auth),
        failing_ips: ip_rows(&i.filter, &i.tallies.failing_ips),
        charts,
        request: AnalyticsRequest {
            bucket: Some(i.bucket),
            stack: Some(i.stack),
            tz: Some(i.tz.clone()),
            ..i.request
        },
        bucket: i.bucket,
        stack: i.stack,
        tz: i.tz,
        from: i.from,
        to: i.to,
    }
}

fn source_note(source: TallySource) -> Option<String> {
    match source {
        TallySource::Rollups => None,
        TallySource::EventsForText => Some(
            "Counted from the events themselves: the filter searches words, which the \
             hourly counts do not keep. Large ranges take longer."
                .into(),
        ),
        TallySource::Events(field) => Some(format!(
            "Counted from the events themselves: the filter names {}, which the hourly \
             counts do not keep. Large ranges take longer.",
            field.name().replace('_', " ")
        )),
    }
}

/// The log for `filter` over `[from, to)`, changed by `edit`.
pub(super) fn log_link(
    filter: &EventFilter,
    span: (DateTime<Utc>, DateTime<Utc>),
    edit: impl FnOnce(&mut EventFilter),
) -> String {
    let mut f = EventFilter {
        range: None,
        from: Some(span.0),
        to: Some(span.1),
        ..filter.clone()
    };
    edit(&mut f);
    log_href(&f, None)
}

pub(super) fn whole(i: &Inputs) -> (DateTime<Utc>, DateTime<Utc>) {
    (i.from, i.to)
}

/// Events per bucket, stacked by outcome or category.
fn activity_chart(i: &Inputs) -> ChartView {
    let (a_is_key, unit) = (i.stack == StackBy::Category, "events");
    let key = |h: &HourCount| if a_is_key { h.a.clone() } else { h.b.clone() };
    let mut by_key: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for h in &i.tallies.series {
        if let Some(b) = i.buckets.index_of(h.hour) {
            by_key
                .entry(key(h))
                .or_insert_with(|| vec![0; i.buckets.len()])[b] += h.n;
        }
    }
    let mut keys: Vec<(String, Vec<i64>)> = by_key.into_iter().collect();
    match i.stack {
        StackBy::Outcome => keys.sort_by_key(|(k, _)| {
            Outcome::ALL
                .iter()
                .position(|o| o.as_str() == k)
                .unwrap_or(usize::MAX)
        }),
        StackBy::Category => keys.sort_by_key(|(_, v)| -v.iter().sum::<i64>()),
    }
    let stacks: Vec<Stack> = keys
        .iter()
        .enumerate()
        .map(|(n, (k, values))| Stack {
            name: k.clone(),
            colour: match i.stack {
                StackBy::Outcome => outcome_colour(k).into(),
                StackBy::Category => palette(n),
            },
            values: values.clone(),
        })
        .collect();
    let narrow = |f: &mut EventFilter, k: &str| match i.stack {
        StackBy::Outcome => f.is.outcome = k.parse().ok(),
        StackBy::Category => f.is.category = Some(k.to_string()),
    };
    let title = format!("Events per {}, by {}", i.bucket.as_str(), i.stack.as_str());
    let svg = stacked_bars(unit, i.buckets.labels(), &stacks, |series, b| {
        (b < i.buckets.len()).then(|| log_link(&i.filter, i.buckets.span(b), |f| narrow(f, series)))
    });
    ChartView {
        id: "activity".into(),
        title,
        unit: unit.into(),
        svg,
        table: bucket_table(i, &stacks, true, |_| {}),
    }
}

/// A stacked chart's numbers: a row per bucket (linked to the log narrowed
/// by `narrow` over that bucket), a column per stack, and a total if asked.
pub(super) fn bucket_table(
    i: &Inputs,
    stacks: &[Stack],
    with_total: bool,
    narrow: impl Fn(&mut EventFilter),
) -> DataTable {
    let mut columns = vec![i.bucket.as_str().to_string()];
    columns.extend(stacks.iter().map(|s| s.name.clone()));
    if with_total {
        columns.push("total".into());
    }
    let rows = i
        .buckets
        .labels()
        .into_iter()
        .enumerate()
        .map(|(b, label)| {
            let mut cells = vec![label];
            cells.extend(stacks.iter().map(|s| s.values[b].to_string()));
            if with_total {
                cells.push(stacks.iter().map(|s| s.values[b]).sum::<i64>().to_string());
            }
            DataRow {
                cells,
                href: Some(log_link(&i.filter, i.buckets.span(b), &narrow)),
            }
        })
        .collect();
    DataTable { columns, rows }
}

/// Failures of sign-ins and one-time codes, for the failing lists' links.
fn failing_auth(f: &mut EventFilter) {
    f.is.category = Some(crate::store::AUTH_CATEGORY.into());
    f.not.outcome = Some(Outcome::Success);
}

fn actor_rows(
    filter: &EventFilter,
    actors: &[ActorCount],
    narrow: fn(&mut EventFilter),
) -> Vec<RankedRow> {
    let span = (
        filter.from.unwrap_or_default(),
        filter.to.unwrap_or_default(),
    );
    actors
        .iter()
        .map(|a| {
            let label = [&a.actor_name, &a.actor_email, &a.actor_id]
                .into_iter()
                .find(|s| !s.is_empty())
                .cloned()
                .unwrap_or_default();
            let detail = if a.actor_email.is_empty() || a.actor_email == label {
                format!("{} · {}", a.actor_id, a.tenant)
            } else {
                format!("{} · {}", a.actor_email, a.tenant)
            };
            RankedRow {
                label,
                detail,
                count: a.n,
                last_at: DateTime::from_timestamp_micros(a.last_at),
                href: log_link(filter, span, |f| {
                    f.tenant = Some(a.tenant.clone());
                    f.is.actor = Some(a.actor_id.clone());
                    narrow(f);
                }),
            }
        })
        .collect()
}

fn ip_rows(filter: &EventFilter, ips: &[KeyCount]) -> Vec<RankedRow> {
    let span = (
        filter.from.unwrap_or_default(),
        filter.to.unwrap_or_default(),
    );
    ips.iter()
        .map(|k| RankedRow {
            label: k.key.clone(),
            detail: String::new(),
            count: k.n,
            last_at: None,
            href: log_link(filter, span, |f| {
                f.is.ip = Some(k.key.clone());
                failing_auth(f);
            }),
        })
        .collect()
}
