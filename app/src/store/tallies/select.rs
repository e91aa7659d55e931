//! The grouped reads behind the analytics page, on the table `pick` chose.

use crate::model::EventFilter;
use crate::store::{
    backend::Dialect,
    events::filter::push_filter_at,
    scope::TenantScope,
    sql::Sql,
    tallies::{api::TOP, pick::Table},
};

/// `<prefix>SELECT <columns> FROM <table> WHERE <scope and filter>`.
fn select<D: Dialect>(
    prefix: &str,
    columns: &str,
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = Sql::new(format!("{prefix}SELECT {columns} {}", table.from()));
    push_filter_at(&mut qb, scope, filter, None, &table.time());
    qb
}

/// Events per hour, grouped by two columns.
pub(crate) fn select_hours<D: Dialect>(
    table: Table,
    a: &str,
    b: &str,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let columns = format!(
        "{} AS hour, e.{a} AS a, e.{b} AS b, {} AS n",
        table.hour(),
        table.n()
    );
    let mut qb = select("", &columns, table, scope, filter);
    qb.push(" GROUP BY 1, 2, 3");
    qb
}

/// Events per action, event type, category and outcome.
pub(crate) fn select_mix<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let columns = format!(
        "e.action AS action, e.event_type AS event_type, e.category AS category, \
         e.outcome AS outcome, {} AS n",
        table.n()
    );
    let mut qb = select("", &columns, table, scope, filter);
    qb.push(" GROUP BY 1, 2, 3, 4");
    qb
}

/// The `TOP` actors with the most events; `failing` counts only events that
/// did not succeed.
pub(crate) fn select_top_actors<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
    failing: bool,
) -> Sql<D> {
    let columns = format!(
        "e.tenant_id AS tenant_id, e.actor_id AS actor_id, MAX({}) AS actor_name, \
         MAX({}) AS actor_email, {} AS n, {} AS last_at",
        table.text("actor_name"),
        table.text("actor_email"),
        table.n(),
        table.last()
    );
    let mut qb = select(
        "SELECT t.slug AS tenant, a.actor_id, a.actor_name, a.actor_email, a.n, a.last_at FROM (",
        &columns,
        table,
        scope,
        filter,
    );
    if failing {
        qb.push(" AND e.outcome <> 'success'");
    }
    qb.push(format!(
        " GROUP BY 1, 2 ORDER BY 5 DESC, 2 LIMIT {TOP}) AS a \
         CROSS JOIN tenants t WHERE t.id = a.tenant_id ORDER BY a.n DESC, a.actor_id"
    ));
    qb
}

/// The `TOP` addresses of events that did not succeed.
pub(crate) fn select_failing_ips<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let ip = table.text("ip");
    let columns = format!("{ip} AS key, {} AS n", table.n());
    let mut qb = select("", &columns, table, scope, filter);
    qb.push(format!(
        " AND e.outcome <> 'success' AND {ip} <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP}"
    ));
    qb
}

/// How many actors (per tenant) have events.
pub(crate) fn select_distinct_actors<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = select(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (",
        "DISTINCT e.tenant_id, e.actor_id",
        table,
        scope,
        filter,
    );
    qb.push(") AS actors");
    qb
}

/// All events, and those that did not succeed.
pub(crate) fn select_totals<D: Dialect>(
    table: Table,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Sql<D> {
    let n = match table {
        Table::Events => "1",
        _ => "e.n",
    };
    let columns = format!(
        "CAST(COALESCE(SUM({n}), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN e.outcome <> 'success' THEN {n} ELSE 0 END), 0) AS BIGINT)"
    );
    select("", &columns, table, scope, filter)
}
