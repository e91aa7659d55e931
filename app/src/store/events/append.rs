//! Appending events: each stamped with its place in the tenant's chain,
//! inserted in chunks, counted into the rollups and matched against alert
//! rules in the same transaction as the chain head moves.

use crate::store::{
    alerts::fire::fire_alert_rules,
    backend::{Backend, Dialect},
    chain::hash,
    error::DbError,
    events::{
        columns::{insert_columns, COLUMNS},
        records::{AppendOutcome, NewEvent, Receipt, RECEIPT_LIFETIME_US},
    },
    scope::TenantScope,
    sql::{Arg, Sql},
    tallies::rollups::count_rollups,
};
use serde::Serialize;

/// Rows per INSERT statement: 25 columns x 400 stays under both backends' bind limits.
pub const INSERT_CHUNK: usize = 400;

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
        let hash = hash::event_hash(&prev, tenant_id, seq, received_us, event);
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
pub fn insert_events<D: Dialect>(rows: &[Stamped<'_>]) -> Result<Sql<D>, DbError> {
    let mut qb = Sql::new(format!("INSERT INTO events ({}) VALUES ", insert_columns()));
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push_tuple(insert_values(r)?);
    }
    Ok(qb)
}

/// One stamped event's values in `COLUMNS` order (its length is checked
/// against `COLUMNS` by the compiler).
fn insert_values(r: &Stamped<'_>) -> Result<[Arg; COLUMNS.len()], DbError> {
    let e = r.event;
    let resource = e.resource.as_ref();
    let targets = (!e.targets.is_empty()).then_some(&e.targets);
    Ok([
        e.id.as_str().into(),
        r.tenant_id.into(),
        r.seq.into(),
        e.occurred_at.timestamp_micros().into(),
        r.received_us.into(),
        e.actor.id.as_str().into(),
        e.actor.name.as_deref().into(),
        e.actor.email.as_deref().into(),
        e.actor.kind.as_str().into(),
        e.action.as_str().into(),
        e.category.as_str().into(),
        e.event_type.as_str().into(),
        e.outcome.as_str().into(),
        e.severity.as_str().into(),
        resource.map(|r| r.kind.as_str()).into(),
        resource.map(|r| r.id.as_str()).into(),
        resource.and_then(|r| r.name.as_deref()).into(),
        json(targets)?,
        e.ip.as_deref().into(),
        e.user_agent.as_deref().into(),
        e.request_id.as_deref().into(),
        e.description.as_str().into(),
        json(e.before.as_ref())?,
        json(e.after.as_ref())?,
        json(e.metadata.as_ref())?,
        r.prev_hash.as_str().into(),
        r.hash.as_str().into(),
    ])
}

/// A JSON column's value, serialised once here.
fn json<T: Serialize>(value: Option<&T>) -> Result<Arg, DbError> {
    value
        .map(serde_json::to_string)
        .transpose()
        .map(Arg::Json)
        .map_err(|e| DbError::Corrupt(e.to_string()))
}

/// Appends `events` to the tenant's chain in one transaction with the
/// rollups, the alert outbox and the idempotency receipt; returns after commit.
#[tracing::instrument(skip(b, events, receipt), fields(count = events.len()))]
pub(crate) async fn append<B: Backend>(
    b: &B,
    tenant_id: i64,
    events: &[NewEvent],
    receipt: Option<&Receipt>,
) -> Result<AppendOutcome, DbError> {
    // Scoped, so that on PostgreSQL the rollups below may read back the
    // events this transaction wrote.
    let mut tx = b.scoped_write(&TenantScope::tenant(tenant_id)).await?;
    // Lock the tenant's chain head first: concurrent appends for one tenant
    // queue here, so the chain never forks and a retried idempotency key
    // always sees the first request's receipt.
    let head: (i64, String) = Sql::new(format!(
        "SELECT head_seq, head_hash FROM tenants WHERE id = $1{}",
        B::HEAD_LOCK
    ))
    .bind(tenant_id)
    .fetch_optional(&mut tx)
    .await?
    .ok_or_else(|| DbError::UnknownTenant(tenant_id.to_string()))?;
    if let Some(r) = receipt {
        let seen: Option<(String, String)> = Sql::new(
            "SELECT request_hash, response FROM ingest_receipts \
             WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at > $3",
        )
        .bind(tenant_id)
        .bind(&r.key)
        .bind(chrono::Utc::now().timestamp_micros() - RECEIPT_LIFETIME_US)
        .fetch_optional(&mut tx)
        .await?;
        if let Some((hash, response)) = seen {
            return Ok(if hash == r.request_hash {
                AppendOutcome::Replayed(response)
            } else {
                AppendOutcome::KeyReused
            });
        }
    }
    let now = chrono::Utc::now().timestamp_micros();
    let first_seq = head.0;
    let (stamped, (seq, hash)) = stamp(tenant_id, head, now, events);
    for chunk in stamped.chunks(INSERT_CHUNK) {
        insert_events::<B::Db>(chunk)?.execute(&mut tx).await?;
    }
    count_rollups::<B>(&mut tx, tenant_id, first_seq, seq, 1).await?;
    fire_alert_rules::<B>(&mut tx, tenant_id, first_seq, seq, now).await?;
    Sql::new("UPDATE tenants SET head_seq = $1, head_hash = $2 WHERE id = $3")
        .bind(seq)
        .bind(&hash)
        .bind(tenant_id)
        .execute(&mut tx)
        .await?;
    if let Some(r) = receipt {
        Sql::new(
            "INSERT INTO ingest_receipts (tenant_id, idempotency_key, request_hash, \
             response, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET \
             request_hash = excluded.request_hash, response = excluded.response, \
             created_at = excluded.created_at",
        )
        .bind(tenant_id)
        .bind(&r.key)
        .bind(&r.request_hash)
        .bind(&r.response)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    tx.commit().await?;
    Ok(AppendOutcome::Committed)
}
