//! Events by type, by action (the largest 15, then "other") and by category.

use super::{
    charts::{pie, ranked_bars},
    view::{log_link, whole, Inputs},
};
use crate::{
    model::{ChartView, DataRow, DataTable},
    store::MixCount,
};
use std::collections::BTreeMap;

/// Bars in a distribution before the rest is summed as "other".
pub(super) const TOP_KINDS: usize = 15;

/// Event types, actions and categories.
pub(super) fn distribution_charts(i: &Inputs) -> Vec<ChartView> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
