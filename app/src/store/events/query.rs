//! The SQL of a page of events, shared by both backends: the filter's
//! conditions (`filter`), one read per OR-branch (`branches`), the keyset
//! bound and order.

use crate::model::{Cursor, EventFilter, PageRequest, Terms};
use crate::store::{
    backend::Dialect,
    events::{
        branches::{branches, Branch, Splits},
        columns::{event_columns, packed_row},
        export_row::PACKED_JOIN,
        filter::push_filter,
    },
    scope::TenantScope,
    sql::Sql,
};
use chrono::Utc;

/// At most this many rows per page, whatever the caller asks.
pub const MAX_PAGE: u32 = 500;
/// The page size actually served: at least one row, at most `MAX_PAGE`.
pub(crate) fn page_limit(page: &PageRequest) -> u32 {
    page.limit.clamp(1, MAX_PAGE)
}

/// The newest-first page (or, with `newer_than`, the oldest-first run just
/// above the cursor), fetching one extra row to learn whether more exist.
pub fn select_events<D: Dialect>(
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    splits: &Splits,
) -> Sql<D> {
    events_page("", scope, filter, page, splits)
}

/// The plan the database would follow for `select_events`, for the
/// benchmark and the plan tests.
pub fn explain_events<D: Dialect>(
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    splits: &Splits,
) -> Sql<D> {
    events_page(D::EXPLAIN, scope, filter, page, splits)
}

/// `select_events`, after `prefix`.
fn events_page<D: Dialect>(
    prefix: &str,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    splits: &Splits,
) -> Sql<D> {
    let limit = i64::from(page_limit(page)) + 1;
    let mut qb = Sql::new(format!("{prefix}SELECT {} ", event_columns()));
    push_page(&mut qb, FROM_EVENTS, scope, filter, page, limit, splits);
    qb
}

/// What an export page's query returns beside the page's row count: one
/// text value, or NULL when no row is left.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ExportSelect {
    /// Every row packed as a JSON array, joined by 0x1E (PostgreSQL; see
    /// `ExportPage`).
    Packed,
    /// The rows' rowids, comma-joined, for `sqlite_export` to read. SQLite's
    /// `group_concat` keeps the order its ordered subquery yields; with an
    /// `ORDER BY` of its own it would sort every page again.
    Rowids,
}

/// One page of an export, newest first, as `select` says.
pub(crate) fn select_export_page<D: Dialect>(
    select: ExportSelect,
    scope: &TenantScope,
    filter: &EventFilter,
    below: &Option<Cursor>,
    limit: u32,
    splits: &Splits,
) -> Sql<D> {
    let page = PageRequest {
        older_than: *below,
        newer_than: None,
        limit,
    };
    let limit = i64::from(limit);
    let (head, from) = match select {
        ExportSelect::Packed => (
            format!(
                "SELECT {PACKED_JOIN}, COUNT(*) FROM \
                 (SELECT {} AS p, e.occurred_at AS o, e.tenant_id AS tn, e.seq AS s ",
                packed_row()
            ),
            FROM_EVENTS,
        ),
        ExportSelect::Rowids => (
            "SELECT group_concat(r), COUNT(*) FROM (SELECT e.rowid AS r ".to_string(),
            FROM_EVENTS_ALONE,
        ),
    };
    let mut qb = Sql::new(head);
    push_page(&mut qb, from, scope, filter, &page, limit, splits);
    qb.push(") AS page");
    qb
}

/// What every page of events reads from; filters follow with `AND`. CROSS
/// JOIN keeps events the outer loop on SQLite: with a plain JOIN, a small or
/// freshly analysed database sometimes had it loop over tenants and sort
/// every row in range (PostgreSQL plans it as the inner join it is).
pub(crate) const FROM_EVENTS: &str = "FROM events e CROSS JOIN tenants t WHERE t.id = e.tenant_id";

/// The events alone, for a page of rowids: no condition names the tenants
/// table (a tenant slug is looked up by value), and without it an index
/// holding the filter's columns answers the page without reading any row;
/// joining it read every row's `tenant_id` from the table.
const FROM_EVENTS_ALONE: &str = "FROM events e WHERE 1";

/// `from` (or, with ORs, the union below), the scope, filter, keyset bound,
/// order and limit of one page: one indexed read when the filter has no
/// ORs, else the newest `limit` of the union of one read per alternative
/// (see `branches`).
fn push_page<D: Dialect>(
    qb: &mut Sql<D>,
    from: &str,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
    splits: &Splits,
) {
    match branches(scope, filter, splits).as_slice() {
        [] => {
            qb.push(from).push(" AND 1 = 0");
        }
        [only] => {
            qb.push(from);
            push_conditions(qb, only, page, limit);
        }
        several => {
            qb.push("FROM (");
            for (i, branch) in several.iter().enumerate() {
                if i > 0 {
                    qb.push(" UNION ");
                }
                // `(tenant_id, seq)`, not the id: every index ends with
                // them, so a branch reads no table rows.
                qb.push(format!(
                    "SELECT tn, s FROM (SELECT e.tenant_id AS tn, e.seq AS s {FROM_EVENTS}"
                ));
                push_conditions(qb, branch, page, limit);
                push_order_limit(qb, page, limit);
                qb.push(format!(") AS b{i}"));
            }
            qb.push(
                ") AS hit CROSS JOIN events e CROSS JOIN tenants t \
                 WHERE e.tenant_id = hit.tn AND e.seq = hit.s AND t.id = e.tenant_id",
            );
        }
    }
    push_order_limit(qb, page, limit);
}

/// One branch's conditions and the keyset bound.
fn push_conditions<D: Dialect>(qb: &mut Sql<D>, branch: &Branch, page: &PageRequest, limit: i64) {
    match (only_a_tag(&branch.filter), branch.scope.tenant_id()) {
        (Some(tag), Some(tenant)) => {
            let untagged = EventFilter {
                is: Default::default(),
                ..branch.filter.clone()
            };
            push_filter(qb, &branch.scope, &untagged, None);
            push_tag_page(qb, tenant, tag, &branch.filter, page, limit);
        }
        _ => push_filter(
            qb,
            &branch.scope,
            &branch.filter,
            branch.actor_id.as_deref(),
        ),
    }
    push_keyset(qb, page, "e.occurred_at", "e.tenant_id", "e.seq");
}

/// The tag, when it is all the filter asks for besides time.
fn only_a_tag(filter: &EventFilter) -> Option<&str> {
    let tag = filter.is.tag.as_deref()?;
    let rest = Terms {
        tag: None,
        ..filter.is.clone()
    };
    let alone = rest.is_empty()
        && filter.not.is_empty()
        && filter.text.is_none()
        && filter.tenant.is_none();
    alone.then_some(tag)
}

/// A tag alone: the newest `limit` tagged events in range, read in page
/// order from the notes' own index (`event_notes_tag_time`), so a tag on
/// thousands of events still reads one page of them.
fn push_tag_page<D: Dialect>(
    qb: &mut Sql<D>,
    tenant: i64,
    tag: &str,
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
) {
    qb.push(
        " AND e.id IN (SELECT n.event_id FROM event_notes n \
         WHERE n.kind = 'tag' AND n.tenant_id = ",
    )
    .push_bind(tenant);
    qb.push(" AND n.body = ").push_bind(tag.to_string());
    let (from, to) = filter.bounds(Utc::now());
    if let Some(from) = from {
        qb.push(" AND n.event_occurred_at >= ")
            .push_bind(from.timestamp_micros());
    }
    if let Some(to) = to {
        qb.push(" AND n.event_occurred_at < ")
            .push_bind(to.timestamp_micros());
    }
    push_keyset(
        qb,
        page,
        "n.event_occurred_at",
        "n.tenant_id",
        "n.event_seq",
    );
    let order = page_order(page);
    qb.push(format!(
        " ORDER BY n.event_occurred_at {order}, n.event_seq {order} LIMIT "
    ));
    qb.push_bind(limit).push(")");
}

/// `ASC` for a page read upwards from a cursor (`newer_than` alone), else `DESC`.
fn page_order(page: &PageRequest) -> &'static str {
    if page.older_than.is_none() && page.newer_than.is_some() {
        "ASC"
    } else {
        "DESC"
    }
}

/// Rows strictly past the cursor, in page order, on these time, tenant and
/// chain-position columns.
fn push_keyset<D: Dialect>(
    qb: &mut Sql<D>,
    page: &PageRequest,
    time: &str,
    tenant: &str,
    seq: &str,
) {
    let (c, past) = match (&page.older_than, &page.newer_than) {
        (Some(c), _) => (c, ["<=", "<"]),
        (None, Some(c)) => (c, [">=", ">"]),
        (None, None) => return,
    };
    let [bound, strict] = past;
    // The first conjunct bounds the index range; the second breaks ties.
    qb.push(format!(" AND {time} {bound} "))
        .push_bind(c.occurred_us);
    qb.push(format!(" AND ({time} {strict} "))
        .push_bind(c.occurred_us);
    qb.push(format!(" OR ({tenant}, {seq}) {strict} ("))
        .push_bind(c.tenant_id)
        .push(", ")
        .push_bind(c.seq)
        .push("))");
}

/// The page order. Within one tenant the tenant term is constant, so every
/// `(tenant_id, …, occurred_at, seq)` index yields it without sorting.
fn push_order_limit<D: Dialect>(qb: &mut Sql<D>, page: &PageRequest, limit: i64) {
    let order = page_order(page);
    qb.push(format!(
        " ORDER BY e.occurred_at {order}, e.tenant_id {order}, e.seq {order} LIMIT "
    ));
    qb.push_bind(limit);
}

/// The events of one tenant at the chain positions `seqs` that match the
/// rest of a filter (its words already matched), for `text_walk`.
pub(crate) fn select_by_seqs(
    tenant_id: i64,
    seqs: &[i64],
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
) -> Sql<sqlx::Sqlite> {
    let mut qb = Sql::new(format!("SELECT {} {FROM_EVENTS}", event_columns()));
    qb.push(" AND e.seq IN (SELECT value FROM json_each(");
    qb.push_bind(serde_json::to_string(seqs).unwrap_or_else(|_| "[]".into()));
    qb.push("))");
    // Not `push_conditions`: its shortcut for a tag alone keeps only the
    // newest tagged events, and these seqs may be older ones.
    push_filter(&mut qb, &TenantScope::tenant(tenant_id), filter, None);
    push_keyset(&mut qb, page, "e.occurred_at", "e.tenant_id", "e.seq");
    push_order_limit(&mut qb, page, limit);
    qb
}

/// One event by id, within the scope, if it matches `filter`.
pub(crate) fn select_event<D: Dialect>(
    scope: &TenantScope,
    id: &str,
    filter: &EventFilter,
) -> Sql<D> {
    let mut qb = Sql::new(format!(
        "SELECT {} FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.id = ",
        event_columns()
    ));
    qb.push_bind(id.to_string());
    push_filter(&mut qb, scope, filter, None);
    qb
}

/// One tenant's events after `after_seq`, in chain order (the `(tenant, seq)` key).
pub(crate) fn select_chain<D: Dialect>(tenant_id: i64, after_seq: i64, limit: i64) -> Sql<D> {
    let mut qb = Sql::new(format!(
        "SELECT {} FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.tenant_id = ",
        event_columns()
    ));
    qb.push_bind(tenant_id);
    qb.push(" AND e.seq > ").push_bind(after_seq);
    qb.push(" ORDER BY e.seq LIMIT ").push_bind(limit);
    qb
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cursor;
    use sqlx::Sqlite;

    /// The statement's text with `$N` read as `?`.
    fn marks(qb: &Sql<Sqlite>) -> String {
        let mut out = String::new();
        let mut chars = qb.text().chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                out.push('?');
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn an_older_page_query_orders_newest_first_and_binds_the_cursor() {
        let page = PageRequest {
            older_than: Some(Cursor {
                occurred_us: 5,
                tenant_id: 7,
                seq: 9,
            }),
            newer_than: None,
            limit: 50,
        };
        let filter = EventFilter::parse_query("action:license.* -outcome:success").unwrap();
        let qb =
            select_events::<Sqlite>(&TenantScope::tenant(7), &filter, &page, &Splits::default());
        let sql = marks(&qb);
        assert!(sql.contains("e.tenant_id = ?"), "{sql}");
        assert!(sql.contains("(e.action >= ? AND e.action < ?)"), "{sql}");
        assert!(sql.contains("NOT (COALESCE(e.outcome, '') = ?)"), "{sql}");
        assert!(sql.contains("e.occurred_at <= ?"), "{sql}");
        assert!(sql.contains("OR (e.tenant_id, e.seq) < (?, ?))"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY e.occurred_at DESC, e.tenant_id DESC, e.seq DESC LIMIT ?"),
            "{sql}"
        );
        assert!(!sql.contains("OFFSET"), "{sql}");
    }

    #[test]
    fn a_newer_page_query_reads_upwards_from_the_cursor() {
        let page = PageRequest {
            older_than: None,
            newer_than: Some(Cursor {
                occurred_us: 5,
                tenant_id: 1,
                seq: 9,
            }),
            limit: 50,
        };
        let qb = select_events::<Sqlite>(
            &TenantScope::all_tenants(),
            &EventFilter::default(),
            &page,
            &Splits {
                tenants: vec![1],
                actors: None,
            },
        );
        let sql = marks(&qb);
        assert!(!sql.contains("e.tenant_id = ?"), "{sql}");
        assert!(sql.contains("e.occurred_at >= ?"), "{sql}");
        assert!(sql.contains("OR (e.tenant_id, e.seq) > (?, ?))"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY e.occurred_at ASC, e.tenant_id ASC, e.seq ASC LIMIT ?"),
            "{sql}"
        );
    }
}
