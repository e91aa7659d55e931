//! SQL shared by both backends, built with `QueryBuilder` so every value is bound.

use super::{
    branches::{branches, Branch},
    chain,
    export_row::{PACKED_JOIN, PACKED_ROW},
    records::NewEvent,
    row::EVENT_COLUMNS,
    scope::TenantScope,
    text_search::TextSearch,
};
use crate::model::{search_phrases, ActionMatch, EventFilter, Field, PageRequest, Resource, Terms};
use chrono::Utc;
use serde_json::Value;
use sqlx::{types::Json, Database, Encode, QueryBuilder, Type};

/// At most this many rows per page, whatever the caller asks.
pub const MAX_PAGE: u32 = 500;
/// The page size actually served: at least one row, at most `MAX_PAGE`.
pub fn page_limit(page: &PageRequest) -> u32 {
    page.limit.clamp(1, MAX_PAGE)
}

/// Rows per INSERT statement: 25 columns x 400 stays under both backends' bind limits.
pub const INSERT_CHUNK: usize = 400;

/// The newest-first page (or, with `newer_than`, the oldest-first run just
/// above the cursor), fetching one extra row to learn whether more exist.
pub fn select_events<'a, DB>(
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    tenants: &[i64],
) -> QueryBuilder<'a, DB>
where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    events_page("", scope, filter, page, tenants)
}

/// The plan SQLite would follow for `select_events`, for the benchmark.
pub fn explain_events<'a, DB>(
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    tenants: &[i64],
) -> QueryBuilder<'a, DB>
where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    events_page("EXPLAIN QUERY PLAN ", scope, filter, page, tenants)
}

/// `select_events`, after `prefix`.
fn events_page<'a, DB>(
    prefix: &str,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    tenants: &[i64],
) -> QueryBuilder<'a, DB>
where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    let limit = i64::from(page_limit(page)) + 1;
    let mut qb = QueryBuilder::new(format!("{prefix}SELECT {EVENT_COLUMNS} "));
    push_page(&mut qb, FROM_EVENTS, scope, filter, page, limit, tenants);
    qb
}

/// What an export page's query returns beside the page's row count: one
/// text value, or NULL when no row is left.
#[derive(Clone, Copy, Debug)]
pub enum ExportSelect {
    /// Every row packed as a JSON array, joined by 0x1E (PostgreSQL; see
    /// `ExportPage`).
    Packed,
    /// The rows' rowids, comma-joined, for `sqlite_export` to read. SQLite's
    /// `group_concat` keeps the order its ordered subquery yields; with an
    /// `ORDER BY` of its own it would sort every page again.
    Rowids,
}

/// One page of an export, newest first, as `select` says.
pub fn select_export_page<'a, DB>(
    select: ExportSelect,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
    tenants: &[i64],
) -> QueryBuilder<'a, DB>
where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    let (head, from) = match select {
        ExportSelect::Packed => (
            format!(
                "SELECT {PACKED_JOIN}, COUNT(*) FROM \
                 (SELECT {PACKED_ROW} AS p, e.occurred_at AS o, e.id AS i "
            ),
            FROM_EVENTS,
        ),
        ExportSelect::Rowids => (
            "SELECT group_concat(r), COUNT(*) FROM (SELECT e.rowid AS r ".to_string(),
            FROM_EVENTS_ALONE,
        ),
    };
    let mut qb = QueryBuilder::new(head);
    push_page(&mut qb, from, scope, filter, page, limit, tenants);
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
fn push_page<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    from: &str,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
    tenants: &[i64],
) where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    match branches(scope, filter, tenants).as_slice() {
        [only] if only.actor_column.is_none() => {
            qb.push(from);
            push_conditions(qb, only, page, limit);
        }
        several => {
            qb.push("FROM (");
            for (i, branch) in several.iter().enumerate() {
                if i > 0 {
                    qb.push(" UNION ");
                }
                qb.push(format!("SELECT id FROM (SELECT e.id {FROM_EVENTS}"));
                push_conditions(qb, branch, page, limit);
                push_order_limit(qb, page, limit);
                qb.push(format!(") AS b{i}"));
            }
            qb.push(
                ") AS hit CROSS JOIN events e CROSS JOIN tenants t \
                 WHERE e.id = hit.id AND t.id = e.tenant_id",
            );
        }
    }
    push_order_limit(qb, page, limit);
}

/// One branch's conditions and the keyset bound.
fn push_conditions<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    branch: &Branch,
    page: &PageRequest,
    limit: i64,
) where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    match (only_a_tag(&branch.filter), branch.scope.tenant_id()) {
        (Some(tag), Some(tenant)) => {
            let untagged = EventFilter {
                is: Default::default(),
                ..branch.filter.clone()
            };
            push_filter(qb, &branch.scope, &untagged, None);
            push_tag_page(qb, tenant, tag, &branch.filter, page, limit);
        }
        _ => push_filter(qb, &branch.scope, &branch.filter, branch.actor_column),
    }
    push_keyset(qb, page, "e.occurred_at", "e.id");
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
fn push_tag_page<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    tenant: i64,
    tag: &str,
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
) where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
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
    push_keyset(qb, page, "n.event_occurred_at", "n.event_id");
    let order = page_order(page);
    qb.push(format!(
        " ORDER BY n.event_occurred_at {order}, n.event_id {order} LIMIT "
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

/// Rows strictly past the cursor, in page order, on these time and id columns.
fn push_keyset<'a, DB>(qb: &mut QueryBuilder<'a, DB>, page: &PageRequest, time: &str, id: &str)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    if let Some(c) = &page.older_than {
        // The first conjunct bounds the index range; the second breaks ties on id.
        qb.push(format!(" AND {time} <= ")).push_bind(c.occurred_us);
        qb.push(format!(" AND ({time} < ")).push_bind(c.occurred_us);
        qb.push(format!(" OR {id} < "))
            .push_bind(c.id.clone())
            .push(")");
    } else if let Some(c) = &page.newer_than {
        qb.push(format!(" AND {time} >= ")).push_bind(c.occurred_us);
        qb.push(format!(" AND ({time} > ")).push_bind(c.occurred_us);
        qb.push(format!(" OR {id} > "))
            .push_bind(c.id.clone())
            .push(")");
    }
}

fn push_order_limit<'a, DB>(qb: &mut QueryBuilder<'a, DB>, page: &PageRequest, limit: i64)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
{
    let order = page_order(page);
    qb.push(format!(
        " ORDER BY e.occurred_at {order}, e.id {order} LIMIT "
    ));
    qb.push_bind(limit);
}

/// The events of one tenant at the chain positions `seqs` that match the
/// rest of a filter (its words already matched), for `text_walk`.
pub fn select_by_seqs<'a>(
    tenant_id: i64,
    seqs: &[i64],
    filter: &EventFilter,
    page: &PageRequest,
    limit: i64,
) -> QueryBuilder<'a, sqlx::Sqlite> {
    let mut qb = QueryBuilder::new(format!("SELECT {EVENT_COLUMNS} {FROM_EVENTS}"));
    qb.push(" AND e.seq IN (SELECT value FROM json_each(");
    qb.push_bind(serde_json::to_string(seqs).unwrap_or_else(|_| "[]".into()));
    qb.push("))");
    // Not `push_conditions`: its shortcut for a tag alone keeps only the
    // newest tagged events, and these seqs may be older ones.
    push_filter(&mut qb, &TenantScope::tenant(tenant_id), filter, None);
    push_keyset(&mut qb, page, "e.occurred_at", "e.id");
    push_order_limit(&mut qb, page, limit);
    qb
}

/// One event by id, within the scope.
pub fn select_event<'a, DB>(scope: &TenantScope, id: &str) -> QueryBuilder<'a, DB>
where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {EVENT_COLUMNS} FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.id = "
    ));
    qb.push_bind(id.to_string());
    push_filter(&mut qb, scope, &EventFilter::default(), None);
    qb
}

/// One tenant's events after `after_seq`, in chain order (the `(tenant, seq)` key).
pub fn select_chain<'a, DB>(tenant_id: i64, after_seq: i64, limit: i64) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(format!(
        "SELECT {EVENT_COLUMNS} FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.tenant_id = "
    ));
    qb.push_bind(tenant_id);
    qb.push(" AND e.seq > ").push_bind(after_seq);
    qb.push(" ORDER BY e.seq LIMIT ").push_bind(limit);
    qb
}

/// The scope and every condition of the filter; an actor filter is matched
/// on `actor_column` alone when the branch names one.
fn push_filter<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    scope: &TenantScope,
    f: &EventFilter,
    actor_column: Option<&str>,
) where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    push_filter_at(qb, scope, f, actor_column, "e.occurred_at");
}

/// `push_filter` with the time bounds on `time` (a rollup's `hour`, which
/// the bounds of an hour-aligned filter select exactly).
pub fn push_filter_at<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    scope: &TenantScope,
    f: &EventFilter,
    actor_column: Option<&str>,
    time: &str,
) where
    DB: TextSearch,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
{
    scope.push_sql(qb, "e.tenant_id");
    if let Some(tenant) = &f.tenant {
        // A constant tenant id, so the tenant-first indexes serve it.
        qb.push(" AND e.tenant_id = (SELECT id FROM tenants WHERE slug = ")
            .push_bind(tenant.clone())
            .push(")");
    }
    for field in Field::ALL {
        for (values, negated) in [(f.is.get(field), false), (f.not.get(field), true)] {
            if !values.is_empty() {
                qb.push(if negated { " AND NOT (" } else { " AND (" });
                let column = if negated { None } else { actor_column };
                push_any_of(qb, field, &values, negated, column);
                qb.push(")");
            }
        }
    }
    if let Some(text) = &f.text {
        let phrases = search_phrases(text);
        if !phrases.is_empty() {
            DB::push_match(qb, &phrases, scope.tenant_id());
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
}

/// `column = v1 OR column = v2 …` for one field. Under NOT, a missing value
/// compares as '' so that rows without it are kept, not lost to NULL logic.
fn push_any_of<'a, DB>(
    qb: &mut QueryBuilder<'a, DB>,
    field: Field,
    values: &[String],
    negated: bool,
    actor_column: Option<&str>,
) where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
{
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
            Field::Actor if actor_column.is_some() => {
                let column = actor_column.unwrap_or("actor_id");
                qb.push(format!("e.{column} = ")).push_bind(value.clone());
            }
            Field::Actor => {
                qb.push(format!("{} = ", col("actor_id")))
                    .push_bind(value.clone());
                qb.push(format!(" OR {} = ", col("actor_email")))
                    .push_bind(value.clone());
                qb.push(format!(" OR {} = ", col("actor_name")))
                    .push_bind(value.clone());
            }
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
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// An event with its place in the tenant's chain, ready to insert.
#[derive(Clone, Debug)]
pub struct Stamped<'e> {
    pub event: &'e NewEvent,
    pub tenant_id: i64,
    pub seq: i64,
    pub received_us: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// Chains `events` onto a tenant head `(seq, hash)`; returns them and the new head.
pub fn stamp<'e>(
    tenant_id: i64,
    head: (i64, String),
    received_us: i64,
    events: &'e [NewEvent],
) -> (Vec<Stamped<'e>>, (i64, String)) {
    let (mut seq, mut prev) = head;
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        seq += 1;
        let hash = chain::event_hash(&prev, tenant_id, seq, received_us, event);
        out.push(Stamped {
            event,
            tenant_id,
            seq,
            received_us,
            prev_hash: prev,
            hash: hash.clone(),
        });
        prev = hash;
    }
    (out, (seq, prev))
}

/// A multi-row INSERT for one chunk of stamped events.
pub fn insert_events<'a, DB>(rows: &[Stamped<'_>]) -> QueryBuilder<'a, DB>
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
    String: Encode<'a, DB> + Type<DB>,
    Option<String>: Encode<'a, DB> + Type<DB>,
    Option<Json<Value>>: Encode<'a, DB> + Type<DB>,
    Option<Json<Vec<Resource>>>: Encode<'a, DB> + Type<DB>,
{
    let mut qb = QueryBuilder::new(
        "INSERT INTO events (id, tenant_id, seq, occurred_at, received_at, actor_id, actor_name, \
         actor_email, actor_type, action, category, event_type, outcome, severity, resource_type, \
         resource_id, resource_name, targets_json, ip, user_agent, request_id, before_json, \
         after_json, description, metadata_json, prev_hash, hash) ",
    );
    qb.push_values(rows, |mut b, r| {
        let e = r.event;
        let resource = e.resource.as_ref();
        b.push_bind(e.id.clone())
            .push_bind(r.tenant_id)
            .push_bind(r.seq)
            .push_bind(e.occurred_at.timestamp_micros())
            .push_bind(r.received_us)
            .push_bind(e.actor.id.clone())
            .push_bind(e.actor.name.clone())
            .push_bind(e.actor.email.clone())
            .push_bind(e.actor.kind.as_str().to_string())
            .push_bind(e.action.clone())
            .push_bind(e.category.clone())
            .push_bind(e.event_type.clone())
            .push_bind(e.outcome.as_str().to_string())
            .push_bind(e.severity.as_str().to_string())
            .push_bind(resource.map(|r| r.kind.clone()))
            .push_bind(resource.map(|r| r.id.clone()))
            .push_bind(resource.and_then(|r| r.name.clone()))
            .push_bind((!e.targets.is_empty()).then(|| Json(e.targets.clone())))
            .push_bind(e.ip.clone())
            .push_bind(e.user_agent.clone())
            .push_bind(e.request_id.clone())
            .push_bind(e.before.clone().map(Json))
            .push_bind(e.after.clone().map(Json))
            .push_bind(e.description.clone())
            .push_bind(e.metadata.clone().map(Json))
            .push_bind(r.prev_hash.clone())
            .push_bind(r.hash.clone());
    });
    qb
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cursor;
    use sqlx::Sqlite;

    #[test]
    fn the_prefix_upper_bound_is_the_next_string_after_the_prefix() {
        assert_eq!(prefix_upper_bound("license."), Some("license/".to_string()));
        assert_eq!(prefix_upper_bound(""), None);
    }

    #[test]
    fn an_older_page_query_orders_newest_first_and_binds_the_cursor() {
        let page = PageRequest {
            older_than: Some(Cursor {
                occurred_us: 5,
                id: "X".into(),
            }),
            newer_than: None,
            limit: 50,
        };
        let filter = EventFilter::parse_query("action:license.* -outcome:success").unwrap();
        let qb = select_events::<Sqlite>(&TenantScope::tenant(7), &filter, &page, &[]);
        let sql = qb.sql().to_string();
        assert!(sql.contains("e.tenant_id = ?"), "{sql}");
        assert!(sql.contains("(e.action >= ? AND e.action < ?)"), "{sql}");
        assert!(sql.contains("NOT (COALESCE(e.outcome, '') = ?)"), "{sql}");
        assert!(sql.contains("e.occurred_at <= ?"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY e.occurred_at DESC, e.id DESC LIMIT ?"),
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
                id: "X".into(),
            }),
            limit: 50,
        };
        let qb = select_events::<Sqlite>(
            &TenantScope::all_tenants(),
            &EventFilter::default(),
            &page,
            &[1],
        );
        let sql = qb.sql().to_string();
        assert!(!sql.contains("e.tenant_id = ?"), "{sql}");
        assert!(sql.contains("e.occurred_at >= ?"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY e.occurred_at ASC, e.id ASC LIMIT ?"),
            "{sql}"
        );
    }
}
