//! From counts to the page: buckets in the viewer's zone, top 15 + "other",
//! headline changes, and for every bar, slice and row the log filtered to
//! exactly its events.

use super::{
    buckets::Buckets,
    charts::{outcome_colour, palette, pie, ranked_bars, stacked_bars, Stack},
};
use crate::{
    model::{
        AnalyticsRequest, AnalyticsView, Bucket, ChartView, DataRow, DataTable, EventFilter,
        Headline, Outcome, RankedRow, StackBy, Trend,
    },
    store::{ActorCount, HourCount, KeyCount, MixCount, Tallies, TallySource, Totals},
    ui::log_href,
};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Bars in a distribution before the rest is summed as "other".
pub const TOP_KINDS: usize = 15;

/// What `build` works from.
pub struct Inputs {
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

pub fn build(i: Inputs) -> AnalyticsView {
    let totals = current_totals(&i.tallies);
    let mut charts = vec![activity_chart(&i), auth_chart(&i)];
    charts.extend(distribution_charts(&i));
    AnalyticsView {
        headlines: headlines(&totals, &i.previous, &i.tallies, i.to - i.from),
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
fn log_link(
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

fn whole(i: &Inputs) -> (DateTime<Utc>, DateTime<Utc>) {
    (i.from, i.to)
}

struct Current {
    events: i64,
    failures: i64,
}

fn current_totals(t: &Tallies) -> Current {
    let events = t.mix.iter().map(|m| m.n).sum();
    let failures = t
        .mix
        .iter()
        .filter(|m| m.outcome != Outcome::Success.as_str())
        .map(|m| m.n)
        .sum();
    Current { events, failures }
}

fn headlines(now: &Current, before: &Totals, t: &Tallies, span: chrono::Duration) -> Vec<Headline> {
    let days = span.num_hours() as f64 / 24.0;
    let period = if days >= 1.0 {
        format!("previous {} days", days.round())
    } else {
        format!("previous {} hours", span.num_hours())
    };
    let rate = |failures: i64, events: i64| (events > 0).then(|| failures as f64 / events as f64);
    let (signins, failed) = auth_totals(&t.auth_series);
    vec![
        count_headline("Events", now.events, before.events, &period),
        count_headline(
            "Distinct actors",
            t.distinct_actors,
            before.distinct_actors,
            &period,
        ),
        rate_headline(
            "Failure rate",
            rate(now.failures, now.events),
            rate(before.failures, before.events),
            &period,
        ),
        rate_headline(
            "Failed sign-ins",
            rate(failed, signins + failed),
            None,
            &period,
        ),
    ]
}

fn count_headline(label: &str, now: i64, before: i64, period: &str) -> Headline {
    let (change, trend) = if before == 0 {
        (None, Trend::Flat)
    } else {
        let pct = (now - before) as f64 * 100.0 / before as f64;
        let trend = match pct {
            p if p >= 0.5 => Trend::Up,
            p if p <= -0.5 => Trend::Down,
            _ => Trend::Flat,
        };
        (Some(format!("{pct:+.0}% vs {period}")), trend)
    };
    Headline {
        label: label.into(),
        value: group_digits(now),
        change,
        trend,
    }
}

fn rate_headline(label: &str, now: Option<f64>, before: Option<f64>, period: &str) -> Headline {
    let (change, trend) = match (now, before) {
        (Some(a), Some(b)) => {
            let points = (a - b) * 100.0;
            let trend = match points {
                p if p >= 0.05 => Trend::Up,
                p if p <= -0.05 => Trend::Down,
                _ => Trend::Flat,
            };
            (Some(format!("{points:+.1} points vs {period}")), trend)
        }
        _ => (None, Trend::Flat),
    };
    Headline {
        label: label.into(),
        value: now.map_or_else(|| "–".into(), |r| format!("{:.1}%", r * 100.0)),
        change,
        trend,
    }
}

/// `1234567` as `1,234,567`.
pub fn group_digits(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
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
    let labels: Vec<String> = (0..i.buckets.len()).map(|b| i.buckets.label(b)).collect();
    let narrow = |f: &mut EventFilter, k: &str| match i.stack {
        StackBy::Outcome => f.is.outcome = k.parse().ok(),
        StackBy::Category => f.is.category = Some(k.to_string()),
    };
    let title = format!("Events per {}, by {}", i.bucket.as_str(), i.stack.as_str());
    let svg = stacked_bars(unit, labels.clone(), &stacks, |series, b| {
        (b < i.buckets.len()).then(|| log_link(&i.filter, i.buckets.span(b), |f| narrow(f, series)))
    });
    let mut columns = vec![i.bucket.as_str().to_string()];
    columns.extend(stacks.iter().map(|s| s.name.clone()));
    columns.push("total".into());
    let rows = (0..i.buckets.len())
        .map(|b| {
            let mut cells = vec![labels[b].clone()];
            cells.extend(stacks.iter().map(|s| s.values[b].to_string()));
            cells.push(stacks.iter().map(|s| s.values[b]).sum::<i64>().to_string());
            DataRow {
                cells,
                href: Some(log_link(&i.filter, i.buckets.span(b), |_| {})),
            }
        })
        .collect();
    ChartView {
        id: "activity".into(),
        title,
        unit: unit.into(),
        svg,
        table: DataTable { columns, rows },
    }
}

/// Sign-ins and one-time codes per bucket.
fn auth_chart(i: &Inputs) -> ChartView {
    let kinds = AuthKind::ALL;
    let mut values = vec![vec![0i64; i.buckets.len()]; kinds.len()];
    let mut actions: Vec<Vec<String>> = vec![Vec::new(); kinds.len()];
    for h in &i.tallies.auth_series {
        let (Some(kind), Some(b)) = (AuthKind::of(&h.a, &h.b), i.buckets.index_of(h.hour)) else {
            continue;
        };
        let k = kind as usize;
        values[k][b] += h.n;
        if !actions[k].contains(&h.a) {
            actions[k].push(h.a.clone());
        }
    }
    let stacks: Vec<Stack> = kinds
        .iter()
        .zip(values)
        .map(|(kind, values)| Stack {
            name: kind.label().into(),
            colour: kind.colour().into(),
            values,
        })
        .collect();
    let labels: Vec<String> = (0..i.buckets.len()).map(|b| i.buckets.label(b)).collect();
    let link = |kind: AuthKind, span| {
        log_link(&i.filter, span, |f| {
            f.is.category = Some(crate::store::AUTH_CATEGORY.into());
            let behind = &actions[kind as usize];
            f.is.actions = behind.clone();
            // A failure is either an action named so (`user.login.failed`)
            // or a plain one that did not succeed; with only plain ones
            // behind the bar, that narrows the log to exactly its events.
            if kind.failed() && !behind.iter().any(|a| names_failure(a)) {
                f.not.outcome = Some(Outcome::Success);
            }
        })
    };
    let title = format!("Sign-ins and one-time codes per {}", i.bucket.as_str());
    let svg = stacked_bars("events", labels.clone(), &stacks, |series, b| {
        let kind = kinds.iter().find(|k| k.label() == series)?;
        (b < i.buckets.len()).then(|| link(*kind, i.buckets.span(b)))
    });
    let mut columns = vec![i.bucket.as_str().to_string()];
    columns.extend(kinds.iter().map(|k| k.label().to_string()));
    let rows = (0..i.buckets.len())
        .map(|b| {
            let mut cells = vec![labels[b].clone()];
            cells.extend(stacks.iter().map(|s| s.values[b].to_string()));
            DataRow {
                cells,
                href: Some(log_link(&i.filter, i.buckets.span(b), |f| {
                    f.is.category = Some(crate::store::AUTH_CATEGORY.into())
                })),
            }
        })
        .collect();
    ChartView {
        id: "auth".into(),
        title,
        unit: "events".into(),
        svg,
        table: DataTable { columns, rows },
    }
}

/// What an authentication event counts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AuthKind {
    SignIn,
    FailedSignIn,
    OtpRequest,
    OtpFailure,
}

impl AuthKind {
    const ALL: [AuthKind; 4] = [
        AuthKind::SignIn,
        AuthKind::FailedSignIn,
        AuthKind::OtpRequest,
        AuthKind::OtpFailure,
    ];

    /// By action and outcome: `user.login`, `auth.sign_in.failed`,
    /// `user.otp.requested`, `auth.otp.failed`…; sign-outs and the rest are none.
    fn of(action: &str, outcome: &str) -> Option<AuthKind> {
        let failed = outcome != Outcome::Success.as_str() || names_failure(action);
        let t = action.to_ascii_lowercase();
        if t.contains("otp") || t.contains("one_time") {
            if failed {
                Some(AuthKind::OtpFailure)
            } else if t.contains("request") || t.contains("sent") {
                Some(AuthKind::OtpRequest)
            } else {
                None
            }
        } else if t.contains("login") || t.contains("sign_in") || t.contains("signin") {
            Some(if failed {
                AuthKind::FailedSignIn
            } else {
                AuthKind::SignIn
            })
        } else {
            None
        }
    }

    fn failed(self) -> bool {
        matches!(self, AuthKind::FailedSignIn | AuthKind::OtpFailure)
    }

    fn label(self) -> &'static str {
        match self {
            AuthKind::SignIn => "sign-ins",
            AuthKind::FailedSignIn => "failed sign-ins",
            AuthKind::OtpRequest => "one-time codes requested",
            AuthKind::OtpFailure => "one-time codes failed",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            AuthKind::SignIn => "#1f7a4d",
            AuthKind::FailedSignIn => "#b42318",
            AuthKind::OtpRequest => "#2f5bd3",
            AuthKind::OtpFailure => "#9a6200",
        }
    }
}

/// Whether an action's name says it failed (`user.login.failed`).
fn names_failure(action: &str) -> bool {
    action.to_ascii_lowercase().contains("fail")
}

/// Successful and failed sign-ins over the whole range.
fn auth_totals(rows: &[HourCount]) -> (i64, i64) {
    rows.iter()
        .fold((0, 0), |(ok, bad), h| match AuthKind::of(&h.a, &h.b) {
            Some(AuthKind::SignIn) => (ok + h.n, bad),
            Some(AuthKind::FailedSignIn) => (ok, bad + h.n),
            _ => (ok, bad),
        })
}

/// Event types, actions and categories.
fn distribution_charts(i: &Inputs) -> Vec<ChartView> {
    let sum_by = |key: fn(&MixCount) -> &str| {
        let mut by: BTreeMap<String, i64> = BTreeMap::new();
        for m in &i.tallies.mix {
            *by.entry(key(m).to_string()).or_default() += m.n;
        }
        let mut rows: Vec<(String, i64)> = by.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows
    };
    let event_types = top_and_other(sum_by(|m| &m.event_type));
    let actions = top_and_other(sum_by(|m| &m.action));
    let categories = sum_by(|m| &m.category);
    let span = whole(i);
    // The last row is "other" when some kinds were summed into it.
    let is_other = |k: usize, summed: usize| summed > 0 && k >= TOP_KINDS;
    let type_link = |k: usize| {
        let (name, _) = event_types.0.get(k)?;
        // No one filter names "every other type".
        (!is_other(k, event_types.1))
            .then(|| log_link(&i.filter, span, |f| f.is.event_type = Some(name.clone())))
    };
    let shown: Vec<String> = actions
        .0
        .iter()
        .take(TOP_KINDS)
        .map(|(a, _)| a.clone())
        .collect();
    let action_link = |k: usize| {
        let (name, _) = actions.0.get(k)?;
        Some(if !is_other(k, actions.1) {
            log_link(&i.filter, span, |f| f.is.actions = vec![name.clone()])
        } else {
            // "Other": every action but those shown (the filter's own still apply).
            log_link(&i.filter, span, |f| f.not.actions = shown.clone())
        })
    };
    let category_link = |k: usize| {
        let (name, _) = categories.get(k)?;
        Some(log_link(&i.filter, span, |f| {
            f.is.category = Some(name.clone())
        }))
    };
    vec![
        distribution(
            "event-types",
            "Events by type",
            &event_types.0,
            &type_link,
            false,
        ),
        distribution(
            "actions",
            "Events by action",
            &actions.0,
            &action_link,
            false,
        ),
        distribution(
            "categories",
            "Events by category",
            &categories,
            &category_link,
            true,
        ),
    ]
}

/// The `TOP_KINDS` largest, then one "other (n kinds)" row for the rest.
fn top_and_other(rows: Vec<(String, i64)>) -> (Vec<(String, i64)>, usize) {
    if rows.len() <= TOP_KINDS + 1 {
        return (rows, 0);
    }
    let rest = rows.len() - TOP_KINDS;
    let other: i64 = rows[TOP_KINDS..].iter().map(|(_, n)| n).sum();
    let mut top: Vec<(String, i64)> = rows.into_iter().take(TOP_KINDS).collect();
    top.push((format!("other ({rest} kinds)"), other));
    (top, rest)
}

fn distribution(
    id: &str,
    title: &str,
    rows: &[(String, i64)],
    href: &dyn Fn(usize) -> Option<String>,
    as_pie: bool,
) -> ChartView {
    let svg = if rows.is_empty() {
        String::new()
    } else if as_pie {
        pie(rows, href)
    } else {
        ranked_bars(rows, href)
    };
    let total: i64 = rows.iter().map(|(_, n)| n).sum();
    ChartView {
        id: id.into(),
        title: title.into(),
        unit: "events".into(),
        svg,
        table: DataTable {
            columns: vec!["kind".into(), "events".into(), "share".into()],
            rows: rows
                .iter()
                .enumerate()
                .map(|(k, (name, n))| DataRow {
                    cells: vec![
                        name.clone(),
                        n.to_string(),
                        format!("{:.1}%", *n as f64 * 100.0 / total.max(1) as f64),
                    ],
                    href: href(k),
                })
                .collect(),
        },
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_ins_and_codes_are_told_apart_by_action_and_outcome() {
        assert_eq!(
            AuthKind::of("user.login", "success"),
            Some(AuthKind::SignIn)
        );
        assert_eq!(
            AuthKind::of("user.login", "failure"),
            Some(AuthKind::FailedSignIn)
        );
        assert_eq!(
            AuthKind::of("user.login.failed", "success"),
            Some(AuthKind::FailedSignIn)
        );
        assert_eq!(
            AuthKind::of("auth.sign_in.failed", "failure"),
            Some(AuthKind::FailedSignIn)
        );
        assert_eq!(
            AuthKind::of("user.otp.requested", "success"),
            Some(AuthKind::OtpRequest)
        );
        assert_eq!(
            AuthKind::of("user.otp.verified", "failure"),
            Some(AuthKind::OtpFailure)
        );
        assert_eq!(
            AuthKind::of("auth.otp.failed", "failure"),
            Some(AuthKind::OtpFailure)
        );
        assert_eq!(AuthKind::of("user.otp.verified", "success"), None);
        assert_eq!(AuthKind::of("user.logout", "success"), None);
    }

    #[test]
    fn more_than_fifteen_kinds_end_in_one_other_row_with_the_rest_summed() {
        let rows: Vec<(String, i64)> = (0..20).map(|i| (format!("k{i}"), 100 - i)).collect();
        let (top, rest) = top_and_other(rows);
        assert_eq!(top.len(), TOP_KINDS + 1);
        assert_eq!(rest, 5);
        assert_eq!(
            top[TOP_KINDS],
            ("other (5 kinds)".to_string(), 85 + 84 + 83 + 82 + 81)
        );
        let few: Vec<(String, i64)> = (0..16).map(|i| (format!("k{i}"), 1)).collect();
        assert_eq!(top_and_other(few.clone()).0, few);
    }

    #[test]
    fn headlines_compare_with_the_previous_period() {
        let up = count_headline("Events", 1_500, 1_000, "previous 30 days");
        assert_eq!(up.value, "1,500");
        assert_eq!(up.change.as_deref(), Some("+50% vs previous 30 days"));
        assert_eq!(up.trend, Trend::Up);
        assert_eq!(count_headline("Events", 5, 0, "x").change, None);
        let rate = rate_headline("Failure rate", Some(0.05), Some(0.075), "previous 7 days");
        assert_eq!(rate.value, "5.0%");
        assert_eq!(
            rate.change.as_deref(),
            Some("-2.5 points vs previous 7 days")
        );
        assert_eq!(rate.trend, Trend::Down);
        assert_eq!(group_digits(-1234567), "-1,234,567");
    }
}
