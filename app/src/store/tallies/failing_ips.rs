//! The top failing addresses without adding up every one-off address.
//!
//! Most failed sign-ins come from an address that fails once, so the daily
//! `rollup_failing_ips` hardly shrinks them (260,000 rows for a month of one
//! busy tenant), and summing them all took 130 ms. The addresses worth
//! listing fail often. So: take as candidates the addresses with a day of
//! at least `HEAVY` failures (a partial index holds just those rows), count
//! them exactly, and keep the answer only if the tenth of them is above the
//! most any other address could have reached: `HEAVY - 1` on each of its
//! rows in range. Otherwise the full count runs, as before.

use crate::model::EventFilter;
use crate::store::{
    backend::Dialect, events::filter::push_filter_at, scope::TenantScope, sql::Sql,
    tallies::api::TOP, tallies::rollups::DAY_US,
};

/// A day with this many failures from one address makes it a candidate
/// (the partial index `rollup_failing_ips_heavy` of migration 0015).
pub(crate) const HEAVY: i64 = 8;
/// More candidates than this and the full count is as quick.
const MAX_CANDIDATES: usize = 200;

/// What the shortcut needs to know of a filter: the days it covers, and how
/// many rows one address can have per tenant and day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub days: Vec<i64>,
    combos: i64,
}

impl Plan {
    /// `None` when the bound cannot be stated: an open range, or a filter
    /// that leaves the category open (each category is another row).
    pub(crate) fn of(filter: &EventFilter) -> Option<Plan> {
        let (from, to) = (filter.from?, filter.to?);
        if filter.range.is_some() || filter.is.category.is_none() {
            return None;
        }
        let (from, to) = (from.timestamp_micros(), to.timestamp_micros());
        if from % DAY_US != 0 || to % DAY_US != 0 || to <= from || (to - from) / DAY_US > 400 {
            return None;
        }
        // The failing outcomes a row can have.
        let combos = if filter.is.outcome.is_some() { 1 } else { 2 };
        Some(Plan {
            days: (from..to).step_by(DAY_US as usize).collect(),
            combos,
        })
    }

    /// The most an address that is not a candidate can have failed.
    pub(crate) fn bound(&self, tenants: usize) -> i64 {
        (HEAVY - 1) * self.days.len() as i64 * self.combos * tenants as i64
    }

    /// Whether `totals` (candidates counted exactly, largest first) are
    /// surely the top ones.
    pub(crate) fn proves(&self, totals: &[(String, i64)], tenants: usize) -> bool {
        let top = TOP as usize;
        totals.len() >= top && totals[top - 1].1 > self.bound(tenants)
    }

    pub(crate) fn worth_it(candidates: usize) -> bool {
        (1..=MAX_CANDIDATES).contains(&candidates)
    }
}

/// Addresses with a day of `HEAVY` failures or more in range.
pub(crate) fn select_candidates<D: Dialect>(scope: &TenantScope, filter: &EventFilter) -> Sql<D> {
    let mut qb = Sql::new("SELECT DISTINCT e.ip FROM rollup_failing_ips e WHERE 1 = 1");
    push_filter_at(&mut qb, scope, filter, None, "e.day");
    // A literal, so that the partial index's condition is seen to hold.
    qb.push(format!(
        " AND e.n >= {HEAVY} AND e.outcome <> 'success' AND e.ip <> ''"
    ));
    qb
}

/// The candidates' exact totals, largest first: one index seek per tenant,
/// day and address.
pub(crate) fn select_totals<D: Dialect>(
    scope: &TenantScope,
    filter: &EventFilter,
    plan: &Plan,
    tenants: &[i64],
    candidates: &[String],
) -> Sql<D> {
    let mut qb = Sql::new(
        "SELECT e.ip AS key, CAST(SUM(e.n) AS BIGINT) AS n FROM rollup_failing_ips e WHERE 1 = 1",
    );
    push_filter_at(&mut qb, scope, filter, None, "e.day");
    qb.push(" AND e.tenant_id IN (");
    qb.push_list(tenants.iter().copied());
    qb.push(") AND e.day IN (");
    qb.push_list(plan.days.iter().copied());
    qb.push(") AND e.ip IN (");
    qb.push_list(candidates);
    qb.push(")");
    qb.push(format!(
        " AND e.outcome <> 'success' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
    ));
    qb
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn filter(from_day: u32, to_day: u32) -> EventFilter {
        let mut f = EventFilter {
            from: Some(Utc.with_ymd_and_hms(2026, 7, from_day, 0, 0, 0).unwrap()),
            to: Some(Utc.with_ymd_and_hms(2026, 7, to_day, 0, 0, 0).unwrap()),
            ..EventFilter::default()
        };
        f.is.category = Some("auth".into());
        f
    }

    #[test]
    fn a_plan_needs_whole_days_and_a_category() {
        let plan = Plan::of(&filter(1, 31)).unwrap();
        assert_eq!(plan.days.len(), 30);
        assert_eq!(plan.bound(1), 7 * 30 * 2);
        assert_eq!(plan.bound(5), 7 * 30 * 2 * 5);
        let mut open = filter(1, 31);
        open.is.category = None;
        assert_eq!(Plan::of(&open), None);
        let mut partial = filter(1, 31);
        partial.to = Some(Utc.with_ymd_and_hms(2026, 7, 30, 12, 0, 0).unwrap());
        assert_eq!(Plan::of(&partial), None);
        let mut unbounded = filter(1, 31);
        unbounded.from = None;
        assert_eq!(Plan::of(&unbounded), None);
    }

    #[test]
    fn the_shortcut_holds_only_when_the_tenth_is_above_what_any_other_could_reach() {
        let plan = Plan::of(&filter(1, 3)).unwrap(); // two days: bound 7 * 2 * 2 = 28
        let totals = |tenth: i64| -> Vec<(String, i64)> {
            (0..10).map(|i| (format!("ip{i}"), tenth + 9 - i)).collect()
        };
        assert!(plan.proves(&totals(29), 1));
        assert!(
            !plan.proves(&totals(28), 1),
            "a light address could tie the tenth"
        );
        assert!(
            !plan.proves(&totals(29)[..9], 1),
            "fewer than ten candidates"
        );
        assert!(!plan.proves(&totals(29), 2), "two tenants double the bound");
        assert!(Plan::worth_it(1) && Plan::worth_it(200));
        assert!(!Plan::worth_it(0) && !Plan::worth_it(201));
    }
}
