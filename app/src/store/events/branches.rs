//! Splitting a filter's ORs into branches each index can answer in order.
//!
//! A page is "the newest N matching rows". One equality per indexed column
//! is a range of a `(tenant, column, occurred_at, id)` index already in page
//! order, so the database stops after N rows. An OR of several values (three
//! actions; an actor matched by id, email or name; every tenant at once) is
//! not: the database either sorts every match or walks the time index testing
//! each row, and a rare value then costs a scan. So each OR becomes one
//! branch per alternative, each branch reads at most N rows in order, and
//! the page is the newest N of their union.

use crate::model::{EventFilter, Field};
use crate::store::scope::TenantScope;

/// Columns an actor is matched against: its id, email or display name.
pub(crate) const ACTOR_COLUMNS: [&str; 3] = ["actor_id", "actor_email", "actor_name"];

/// More branches than this and the rest of the ORs stay inside each branch.
const MAX_BRANCHES: usize = 96;

/// The fields that can hold alternatives, split in this order.
const SPLIT_ORDER: [Field; 2] = [Field::Actor, Field::Action];

/// One conjunction of the filter: at most one value per split field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Branch {
    pub scope: TenantScope,
    pub filter: EventFilter,
    /// For an actor filter, the one column this branch matches it on.
    pub actor_column: Option<&'static str>,
}

/// The branches of `filter` in `scope`. `tenants` lists every tenant id when
/// the scope is all tenants and their indexes should be read one by one.
pub(crate) fn branches(scope: &TenantScope, filter: &EventFilter, tenants: &[i64]) -> Vec<Branch> {
    let mut out = vec![Branch {
        scope: scope.clone(),
        filter: filter.clone(),
        actor_column: None,
    }];
    if splits_tenants(scope, filter) {
        let split: Vec<Branch> = tenants
            .iter()
            .map(|&id| Branch {
                scope: TenantScope::tenant(id),
                filter: filter.clone(),
                actor_column: None,
            })
            .collect();
        if !split.is_empty() && split.len() <= MAX_BRANCHES {
            out = split;
        }
    }
    for field in SPLIT_ORDER {
        let values = filter.is.get(field);
        let ways = if field == Field::Actor {
            values.len() * ACTOR_COLUMNS.len()
        } else {
            values.len()
        };
        if ways < 2 || out.len() * ways > MAX_BRANCHES {
            continue;
        }
        out = out
            .into_iter()
            .flat_map(|branch| split(branch, field, &values))
            .collect();
    }
    out
}

/// Whether `branches` wants the list of tenant ids.
pub(crate) fn splits_tenants(scope: &TenantScope, filter: &EventFilter) -> bool {
    scope.is_all() && filter.tenant.is_none() && worth_splitting_tenants(filter)
}

/// Reading each tenant's indexes pays off only when a condition can use
/// them: with none (or only exclusions) the newest rows of the time index
/// across all tenants are the answer already.
fn worth_splitting_tenants(filter: &EventFilter) -> bool {
    !filter.is.is_empty() || filter.text.is_some()
}

fn split(branch: Branch, field: Field, values: &[String]) -> Vec<Branch> {
    let mut out = Vec::new();
    for value in values {
        let mut filter = branch.filter.clone();
        if filter.is.replace(field, value).is_err() {
            // Values came out of a valid filter, so they go back in.
            return vec![branch];
        }
        if field == Field::Actor {
            for column in ACTOR_COLUMNS {
                out.push(Branch {
                    actor_column: Some(column),
                    filter: filter.clone(),
                    scope: branch.scope.clone(),
                });
            }
        } else {
            out.push(Branch {
                filter,
                ..branch.clone()
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(query: &str) -> EventFilter {
        EventFilter::parse_query(query).unwrap()
    }

    #[test]
    fn a_filter_without_ors_in_one_tenant_is_one_branch() {
        let f = filter("action:license.created outcome:failure");
        let b = branches(&TenantScope::tenant(1), &f, &[1, 2]);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].filter, f);
    }

    #[test]
    fn an_actor_is_read_on_each_of_its_three_columns() {
        let b = branches(&TenantScope::tenant(1), &filter("actor:alice"), &[]);
        let columns: Vec<_> = b.iter().map(|b| b.actor_column).collect();
        assert_eq!(
            columns,
            vec![Some("actor_id"), Some("actor_email"), Some("actor_name")]
        );
    }

    #[test]
    fn several_actions_across_all_tenants_make_one_branch_per_tenant_and_action() {
        let f = filter("action:a.b action:c.*");
        let b = branches(&TenantScope::all_tenants(), &f, &[1, 2, 3]);
        assert_eq!(b.len(), 6);
        assert_eq!(b[0].scope, TenantScope::tenant(1));
        assert_eq!(b[0].filter.is.actions, vec!["a.b".to_string()]);
        assert_eq!(b[1].filter.is.actions, vec!["c.*".to_string()]);
        assert_eq!(b[5].scope, TenantScope::tenant(3));
    }

    #[test]
    fn all_tenants_with_only_exclusions_read_the_time_index_once() {
        let b = branches(
            &TenantScope::all_tenants(),
            &filter("-outcome:success"),
            &[1, 2],
        );
        assert_eq!(b.len(), 1);
        assert!(b[0].scope.is_all());
    }

    #[test]
    fn too_many_alternatives_stay_inside_the_branches() {
        let many: Vec<String> = (0..20).map(|i| format!("action:a{i}")).collect();
        let f = filter(&format!("actor:alice {}", many.join(" ")));
        let b = branches(&TenantScope::all_tenants(), &f, &[1, 2, 3, 4]);
        // 4 tenants x 3 actor columns; 20 more ways would pass the cap.
        assert_eq!(b.len(), 12);
        assert_eq!(b[0].filter.is.actions.len(), 20);
    }
}
