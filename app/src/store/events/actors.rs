//! An actor filter through the actor directory (`rollup_actor_names`,
//! migration 0022): `actor:X` matches an event whose actor id, email or
//! name is X, and only the id is indexed on the events, so a page first
//! asks the directory which actor ids X names, then reads each id's range.

use crate::model::{EventFilter, Field};
use crate::store::{
    backend::{Backend, Tx},
    error::DbError,
    events::{
        branches::{splits_tenants, Splits, MAX_BRANCHES},
        filter::push_directory_match,
    },
    scope::TenantScope,
    sql::Sql,
    tenants::tenant_ids,
};

/// What `branches` needs looked up for a page of `filter` in `scope`, read
/// in the page's own transaction so both see the same events.
pub async fn page_splits<B: Backend>(
    tx: &mut Tx<B>,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Result<Splits, DbError> {
    let tenants = if splits_tenants(scope, filter) {
        tenant_ids::<B>(tx).await?
    } else {
        Vec::new()
    };
    Ok(Splits {
        tenants,
        actors: named_actors::<B>(tx, scope, filter).await?,
    })
}

/// The `(tenant, actor id)` pairs in scope whose id, email or name is one
/// of the filter's actors, at most `MAX_BRANCHES + 1` (more are read per
/// tenant instead); `None` when the filter names no actor.
async fn named_actors<B: Backend>(
    tx: &mut Tx<B>,
    scope: &TenantScope,
    filter: &EventFilter,
) -> Result<Option<Vec<(i64, String)>>, DbError> {
    let values = filter.is.get(Field::Actor);
    if values.is_empty() {
        return Ok(None);
    }
    let mut qb = Sql::<B::Db>::new(
        "SELECT DISTINCT d.tenant_id, d.actor_id FROM rollup_actor_names d WHERE (",
    );
    push_directory_match(&mut qb, &values);
    qb.push(")");
    scope.push_sql(&mut qb, "d.tenant_id");
    if let Some(tenant) = &filter.tenant {
        qb.push(" AND d.tenant_id = (SELECT id FROM tenants WHERE slug = ")
            .push_bind(tenant.clone())
            .push(")");
    }
    qb.push(" ORDER BY 1, 2 LIMIT ")
        .push_bind(MAX_BRANCHES as i64 + 1);
    Ok(Some(qb.fetch_all(&mut *tx).await?))
}
