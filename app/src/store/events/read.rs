//! Reading events on either backend: pages, one event, export pages, a
//! tenant's chain in order, and the actors seen lately.

use crate::model::{Actor, Cursor, Event, EventFilter, PageRequest, ParseEnumError};
use crate::store::{
    backend::Backend,
    error::DbError,
    events::{actors::page_splits, query, EventRow, ExportPage},
    scope::TenantScope,
    sql::{Scalar, Sql},
};

/// Raw keyset read: up to `limit + 1` rows in the order the request implies.
#[tracing::instrument(skip(b))]
pub(crate) async fn fetch_events<B: Backend>(
    b: &B,
    scope: &TenantScope,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<Vec<Event>, DbError> {
    let mut tx = b.scoped_report(scope).await?;
    let splits = page_splits::<B>(&mut tx, scope, filter).await?;
    let text = B::text_page(&mut tx, scope, filter, page, &splits.tenants).await?;
    let rows: Vec<EventRow> = match text {
        Some(rows) => rows,
        None => {
            query::select_events(scope, filter, page, &splits)
                .fetch_all(&mut tx)
                .await?
        }
    };
    tx.commit().await?;
    rows.into_iter().map(Event::try_from).collect()
}

#[tracing::instrument(skip(b))]
pub(crate) async fn get_event<B: Backend>(
    b: &B,
    scope: &TenantScope,
    id: &str,
    filter: &EventFilter,
) -> Result<Option<Event>, DbError> {
    let mut tx = b.scoped_read(scope).await?;
    let row: Option<EventRow> = query::select_event(scope, id, filter)
        .fetch_optional(&mut tx)
        .await?;
    tx.commit().await?;
    row.map(Event::try_from).transpose()
}

/// Up to `limit` events for export, newest first, older than the cursor.
#[tracing::instrument(skip(b))]
pub(crate) async fn export_page<B: Backend>(
    b: &B,
    scope: &TenantScope,
    filter: &EventFilter,
    older_than: Option<&Cursor>,
    limit: u32,
) -> Result<ExportPage, DbError> {
    let mut tx = b.scoped_report(scope).await?;
    let splits = page_splits::<B>(&mut tx, scope, filter).await?;
    let page = B::export_page(&mut tx, scope, filter, older_than.cloned(), limit, &splits).await?;
    tx.commit().await?;
    Ok(page)
}

/// Up to `limit` events of one tenant with `seq > after_seq`, in chain order.
pub(crate) async fn chain_events<B: Backend>(
    b: &B,
    tenant_id: i64,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<Event>, DbError> {
    let mut tx = b.scoped_read(&TenantScope::tenant(tenant_id)).await?;
    let rows: Vec<EventRow> = query::select_chain(tenant_id, after_seq, limit)
        .fetch_all(&mut tx)
        .await?;
    tx.commit().await?;
    rows.into_iter().map(Event::try_from).collect()
}

/// The tenant's recorded chain head `(seq, hash)`.
pub(crate) async fn chain_head<B: Backend>(
    b: &B,
    tenant_id: i64,
) -> Result<(i64, String), DbError> {
    Sql::new("SELECT head_seq, head_hash FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(b.read())
        .await?
        .ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))
}

/// The distinct actors of the newest `window` events in the scope.
pub(crate) async fn recent_actors<B: Backend>(
    b: &B,
    scope: &TenantScope,
    window: i64,
) -> Result<Vec<Actor>, DbError> {
    let mut qb = Sql::new(
        "SELECT DISTINCT actor_id, actor_name, actor_email, actor_type FROM \
         (SELECT e.actor_id, e.actor_name, e.actor_email, e.actor_type FROM events e \
         WHERE 1 = 1",
    );
    scope.push_sql(&mut qb, "e.tenant_id");
    qb.push(" ORDER BY e.occurred_at DESC LIMIT ")
        .push_bind(window);
    qb.push(") AS recent");
    let mut tx = b.scoped_read(scope).await?;
    let rows: Vec<(String, Option<String>, Option<String>, String)> = qb.fetch_all(&mut tx).await?;
    tx.commit().await?;
    rows.into_iter()
        .map(|(id, name, email, kind)| {
            Ok(Actor {
                id,
                name,
                email,
                kind: kind
                    .parse()
                    .map_err(|e: ParseEnumError| DbError::Corrupt(e.to_string()))?,
            })
        })
        .collect()
}

/// Whether any event exists at all.
pub(crate) async fn has_events<B: Backend>(b: &B) -> Result<bool, DbError> {
    let mut tx = b.scoped_read(&TenantScope::all_tenants()).await?;
    let found: Option<i32> = Scalar::new("SELECT 1 FROM events LIMIT 1")
        .fetch_optional(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(found.is_some())
}
