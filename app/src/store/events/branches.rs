//! Splitting a filter's ORs into branches each index can answer in order.
//!
//! A page is "the newest N matching rows". One equality per indexed column
//! is a range of a `(tenant, column, occurred_at, seq)` index already in page
//! order, so the database stops after N rows. An OR of several values (three
//! actions; every tenant at once; an actor, matched by id, email or name,
//! which may name several actor ids) is not: the database either sorts
//! every match or walks the time index testing each row, and a rare value
//! then costs a scan. So each OR becomes one branch per alternative, each
//! branch reads at most N rows in order, and the page is the newest N of
//! their union.

use crate::model::{EventFilter, Field};
use crate::store::scope::TenantScope;

/// More branches than this and the rest of the ORs stay inside each branch.
pub(crate) const MAX_BRANCHES: usize = 96;

/// What a page's branches are made from besides the filter, looked up in
/// its transaction first (`actors::page_splits`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Splits {
    /// Every tenant's id, when a page across tenants reads each tenant's
    /// indexes in turn.
    pub tenants: Vec<i64>,
    /// For a filter naming actors: each `(tenant, actor id)` the actor
    /// directory says they match, at most `MAX_BRANCHES + 1` of them.
    pub actors: Option<Vec<(i64, String)>>,
}

/// One conjunction of the filter: at most one value per split field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Branch {
    pub scope: TenantScope,
    pub filter: EventFilter,
    /// The one actor id this branch reads (its filter's actor values then
    /// only narrow it: an id's events may spell its name several ways).
    pub actor_id: Option<String>,
}

/// The branches of `filter` in `scope`; none when nothing can match.
pub(crate) fn branches(scope: &TenantScope, filter: &EventFilter, splits: &Splits) -> Vec<Branch> {
    let mut out = vec![Branch {
        scope: scope.clone(),
        filter: filter.clone(),
        actor_id: None,
    }];
    match &splits.actors {
        // The directory holds every actor of every event: none, no match.
        Some(actors) if actors.is_empty() => return Vec::new(),
        Some(actors) if actors.len() <= MAX_BRANCHES => {
            out = actors
                .iter()
                .map(|(tenant, id)| Branch {
                    scope: TenantScope::tenant(*tenant),
                    filter: filter.clone(),
                    actor_id: Some(id.clone()),
                })
                .collect();
        }
        _ if splits_tenants(scope, filter) => {
            let split: Vec<Branch> = splits
                .tenants
                .iter()
                .map(|&id| Branch {
                    scope: TenantScope::tenant(id),
                    filter: filter.clone(),
                    actor_id: None,
                })
                .collect();
            if !split.is_empty() && split.len() <= MAX_BRANCHES {
                out = split;
            }
        }
        _ => {}
    }
    let actions = filter.is.get(Field::Action);
    if actions.len() >= 2 && out.len() * actions.len() <= MAX_BRANCHES {
        out = out
            .into_iter()
            .flat_map(|branch| split(branch, Field::Action, &actions))
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
        out.push(Branch {
            filter,
            ..branch.clone()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(query: &str) -> EventFilter {
        EventFilter::parse_query(query).unwrap()
    }

    fn tenants(ids: &[i64]) -> Splits {
        Splits {
            tenants: ids.to_vec(),
            actors: None,
        }
    }

    fn actors(pairs: &[(i64, &str)]) -> Splits {
        Splits {
            tenants: vec![1, 2, 3],
            actors: Some(pairs.iter().map(|(t, a)| (*t, a.to_string())).collect()),
        }
    }

    #[test]
    fn a_filter_without_ors_in_one_tenant_is_one_branch() {
        let f = filter("action:license.created outcome:failure");
        let b = branches(&TenantScope::tenant(1), &f, &tenants(&[1, 2]));
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].filter, f);
    }

    #[test]
    fn an_actor_is_read_once_per_tenant_and_actor_id_the_directory_names() {
        let f = filter("actor:alice");
        let b = branches(
            &TenantScope::all_tenants(),
            &f,
            &actors(&[(1, "u-1"), (3, "u-1"), (3, "u-9")]),
        );
        let read: Vec<_> = b
            .iter()
            .map(|b| (b.scope.tenant_id(), b.actor_id.as_deref()))
            .collect();
        assert_eq!(
            read,
            vec![
                (Some(1), Some("u-1")),
                (Some(3), Some("u-1")),
                (Some(3), Some("u-9"))
            ]
        );
        // The values stay, to narrow each id to the spellings asked for.
        assert_eq!(b[0].filter, f);
    }

    #[test]
    fn an_actor_the_directory_does_not_know_makes_no_branch() {
        let b = branches(
            &TenantScope::tenant(1),
            &filter("actor:nobody"),
            &actors(&[]),
        );
        assert!(b.is_empty());
    }

    #[test]
    fn an_actor_naming_too_many_ids_is_read_per_tenant_with_the_values_inside() {
        let many: Vec<(i64, String)> = (0..=MAX_BRANCHES as i64)
            .map(|i| (1 + i % 3, format!("u-{i}")))
            .collect();
        let splits = Splits {
            tenants: vec![1, 2, 3],
            actors: Some(many),
        };
        let b = branches(&TenantScope::all_tenants(), &filter("actor:Admin"), &splits);
        assert_eq!(b.len(), 3);
        assert!(b.iter().all(|b| b.actor_id.is_none()));
    }

    #[test]
    fn several_actions_across_all_tenants_make_one_branch_per_tenant_and_action() {
        let f = filter("action:a.b action:c.*");
        let b = branches(&TenantScope::all_tenants(), &f, &tenants(&[1, 2, 3]));
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
            &tenants(&[1, 2]),
        );
        assert_eq!(b.len(), 1);
        assert!(b[0].scope.is_all());
    }

    #[test]
    fn too_many_alternatives_stay_inside_the_branches() {
        let many: Vec<String> = (0..20).map(|i| format!("action:a{i}")).collect();
        let f = filter(&format!("actor:alice {}", many.join(" ")));
        let pairs = [(1, "a"), (2, "a"), (3, "a"), (4, "a"), (5, "a")];
        let b = branches(&TenantScope::all_tenants(), &f, &actors(&pairs));
        // 5 actor ids; 20 more ways each would pass the cap.
        assert_eq!(b.len(), 5);
        assert_eq!(b[0].filter.is.actions.len(), 20);
    }
}
