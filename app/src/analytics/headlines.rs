//! The numbers above the charts, and how each moved against the previous
//! period of the same length.

use super::auth::auth_totals;
use crate::{
    model::{Headline, Outcome, Trend},
    store::{Tallies, Totals},
};

pub(super) struct Current {
    events: i64,
    failures: i64,
}

pub(super) fn current_totals(t: &Tallies) -> Current {
    let events = t.mix.iter().map(|m| m.n).sum();
    let failures = t
        .mix
        .iter()
        .filter(|m| m.outcome != Outcome::Success.as_str())
        .map(|m| m.n)
        .sum();
    Current { events, failures }
}

pub(super) fn headlines(
    now: &Current,
    before: &Totals,
    t: &Tallies,
    span: chrono::Duration,
) -> Vec<Headline> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
