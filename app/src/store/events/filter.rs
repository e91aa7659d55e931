//! An event filter as SQL conditions: the same for the log, the charts'
//! event reads, the export and alert rules, so they all agree on what matches.

use crate::model::{search_phrases, ActionMatch, EventFilter, Field, Outcome, Pin};
use crate::store::{backend::Dialect, scope::TenantScope, sql::Sql};
use chrono::Utc;

/// The events' time column, which the filter's range bounds.
const EVENT_TIME: &str = "e.occurred_at";

/// The scope and every condition of the filter, on the events; a branch
/// that reads one actor id (`branches`) names it in `actor_id`.
pub(crate) fn push_filter<D: Dialect>(
    qb: &mut Sql<D>,
    scope: &TenantScope,
    f: &EventFilter,
    actor_id: Option<&str>,
) {
    push_filter_at(qb, scope, f, actor_id, EVENT_TIME);
}

/// `push_filter` with the time bounds on `time` (a rollup's `hour`, which
/// the bounds of an hour-aligned filter select exactly).
pub(crate) fn push_filter_at<D: Dialect>(
    qb: &mut Sql<D>,
    scope: &TenantScope,
    f: &EventFilter,
    actor_id: Option<&str>,
    time: &str,
) {
    scope.push_sql(qb, "e.tenant_id");
    if let Some(tenant) = &f.tenant {
        // A constant tenant id, so the tenant-first indexes serve it.
        qb.push(" AND e.tenant_id = (SELECT id FROM tenants WHERE slug = ")
            .push_bind(tenant.clone())
            .push(")");
    }
    let actors = f.is.get(Field::Actor);
    match actor_id {
        Some(id) => {
            qb.push(" AND e.actor_id = ").push_bind(id.to_string());
        }
        // Only the actor id is indexed on the events: the directory names
        // the ids whose email or name matches, so both planners can read
        // those ids' ranges instead of every event in the time range. (Ids
        // of any tenant: `(tenant_id, actor_id) IN` would have SQLite use
        // the index's tenant alone; the scope and the match below narrow.)
        None if !actors.is_empty() && time == EVENT_TIME => {
            qb.push(" AND e.actor_id IN (SELECT d.actor_id FROM rollup_actor_names d WHERE ");
            push_directory_match(qb, &actors);
            qb.push(")");
        }
        None => {}
    }
    for field in Field::ALL {
        for (values, negated) in [(f.is.get(field), false), (f.not.get(field), true)] {
            if !values.is_empty() {
                qb.push(if negated { " AND NOT (" } else { " AND (" });
                push_any_of(qb, field, &values, negated);
                qb.push(")");
            }
        }
    }
    if rules_out_success(f) {
        // Implied by the outcome condition above, and written as the partial
        // index `events_tenant_unsuccessful` states it, with the literal, so
        // both planners may read that index: the few events that did not
        // succeed, newest first, instead of walking every success in range
        // (a burst of one integration's successes cost 30 ms a page).
        qb.push(" AND e.outcome <> 'success'");
    }
    if let Some(text) = &f.text {
        let phrases = search_phrases(text);
        if !phrases.is_empty() {
            D::push_match(qb, &phrases, scope.tenant_id());
        }
    }
    let (from, to) = f.bounds(Utc::now());
    if let Some(from) = from {
        qb.push(format!(" AND {time} >= "))
            .push_bind(from.timestamp_micros());
    }
    if let Some(to) = to {
        qb.push(format!(" AND {time} < "))
            .push_bind(to.timestamp_micros());
    }
    if let Some(pin) = &f.pin {
        push_pin(qb, scope, pin, time);
    }
}

/// A viewer token's conditions, ANDed with the rest: every path that reads
/// events with a filter (pages, text search, exports) comes through here.
fn push_pin<D: Dialect>(qb: &mut Sql<D>, scope: &TenantScope, pin: &Pin, time: &str) {
    if let Some(actor) = &pin.actor_id {
        qb.push(" AND e.actor_id = ").push_bind(actor.clone());
    }
    if let Some((kind, id)) = &pin.resource {
        qb.push(" AND e.resource_type = ").push_bind(kind.clone());
        qb.push(" AND e.resource_id = ").push_bind(id.clone());
    }
    if let Some(also) = &pin.also {
        push_filter_at(qb, scope, also, None, time);
    }
}

/// Whether the filter's outcome condition excludes every success: it
/// excludes `success`, or names another outcome.
fn rules_out_success(f: &EventFilter) -> bool {
    f.not.outcome == Some(Outcome::Success) || f.is.outcome.is_some_and(|o| o != Outcome::Success)
}

/// `value` equals the actor's id, email or name, each column as `col`
/// writes it: on the events (under NOT, a missing value as ''), or on the
/// actor directory, whose empty texts never equal a value.
fn push_actor_match<D: Dialect>(qb: &mut Sql<D>, col: &dyn Fn(&str) -> String, value: &str) {
    qb.push(format!("{} = ", col("actor_id")))
        .push_bind(value.to_string());
    qb.push(format!(" OR {} = ", col("actor_email")))
        .push_bind(value.to_string());
    qb.push(format!(" OR {} = ", col("actor_name")))
        .push_bind(value.to_string());
}

/// A directory row (aliased `d`) matching any of the actor `values`.
pub(crate) fn push_directory_match<D: Dialect>(qb: &mut Sql<D>, values: &[String]) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        push_actor_match(qb, &|column| format!("d.{column}"), value);
    }
}

/// `column = v1 OR column = v2 …` for one field. Under NOT, a missing value
/// compares as '' so that rows without it are kept, not lost to NULL logic.
fn push_any_of<D: Dialect>(qb: &mut Sql<D>, field: Field, values: &[String], negated: bool) {
    let col = |name: &str| {
        if negated {
            format!("COALESCE(e.{name}, '')")
        } else {
            format!("e.{name}")
        }
    };
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        match field {
            Field::Actor => push_actor_match(qb, &col, value),
            // A range, not LIKE, so the (tenant, action, time) index serves it.
            Field::Action => match ActionMatch::of(value) {
                ActionMatch::Exact(action) => {
                    qb.push("e.action = ").push_bind(action.to_string());
                }
                ActionMatch::Prefix(prefix) => match prefix_upper_bound(prefix) {
                    Some(upper) => {
                        qb.push("(e.action >= ").push_bind(prefix.to_string());
                        qb.push(" AND e.action < ").push_bind(upper).push(")");
                    }
                    None => {
                        qb.push("1 = 1");
                    }
                },
            },
            Field::Tag => {
                qb.push(
                    "e.id IN (SELECT n.event_id FROM event_notes n \
                     WHERE n.kind = 'tag' AND n.body = ",
                )
                .push_bind(value.clone())
                .push(")");
            }
            // The other fields' URL names are their column names.
            _ => {
                qb.push(format!("{} = ", col(field.name())))
                    .push_bind(value.clone());
            }
        }
    }
}

/// The smallest string greater than every string starting with `prefix`.
pub(crate) fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_filter_that_excludes_successes_names_the_unsuccessful_index_condition() {
        let says = |query: &str| {
            let filter = EventFilter::parse_query(query).unwrap();
            let mut qb = Sql::<sqlx::Sqlite>::new("SELECT 1 FROM events e WHERE 1");
            push_filter(&mut qb, &TenantScope::tenant(1), &filter, None);
            qb.text().contains("e.outcome <> 'success'")
        };
        assert!(says("-outcome:success"));
        assert!(says("outcome:failure action:license.*"));
        assert!(!says("outcome:success"));
        assert!(!says("-outcome:denied"));
        assert!(!says("action:license.*"));
    }

    fn events_sql(query: &str, actor_id: Option<&str>) -> String {
        let filter = EventFilter::parse_query(query).unwrap();
        let mut qb = Sql::<sqlx::Sqlite>::new("SELECT 1 FROM events e WHERE 1");
        push_filter(&mut qb, &TenantScope::tenant(1), &filter, actor_id);
        qb.text().to_string()
    }

    #[test]
    fn an_actor_is_read_by_the_ids_the_directory_names_and_narrowed_to_its_spellings() {
        let sql = events_sql("actor:bob@x.io", None);
        assert!(
            sql.contains("e.actor_id IN (SELECT d.actor_id FROM rollup_actor_names d"),
            "{sql}"
        );
        assert!(sql.contains("e.actor_email = "), "{sql}");
        // A branch names its one id instead of asking the directory.
        let branch = events_sql("actor:bob@x.io", Some("u-7"));
        assert!(branch.contains("AND e.actor_id = "), "{branch}");
        assert!(!branch.contains("rollup_actor_names"), "{branch}");
        assert!(branch.contains("e.actor_email = "), "{branch}");
        // An exclusion needs no index, so no directory either.
        assert!(!events_sql("-actor:bob@x.io", None).contains("rollup_actor_names"));
    }

    #[test]
    fn the_prefix_upper_bound_is_the_next_string_after_the_prefix() {
        assert_eq!(prefix_upper_bound("license."), Some("license/".to_string()));
        assert_eq!(prefix_upper_bound(""), None);
    }
}
