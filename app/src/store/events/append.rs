//! Appending events: each stamped with its place in the tenant's chain,
//! inserted in chunks, counted into the rollups and matched against alert
//! rules in the same transaction as the chain head moves.

use crate::store::{
    alerts::fire::fire_alert_rules,
    backend::{Backend, Dialect, Tx},
    chain::hash,
    error::DbError,
    events::{
        columns::{insert_columns, COLUMNS},
        committer::Reply,
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

/// Appends `events` to the tenant's chain, with the rollups, the alert
/// outbox and the idempotency receipt, in the committer's next group;
/// returns after that group's commit.
#[tracing::instrument(skip(b, events, receipt), fields(count = events.len()))]
pub(crate) async fn append<B: Backend>(
    b: &B,
    tenant_id: i64,
    events: &[NewEvent],
    receipt: Option<&Receipt>,
) -> Result<AppendOutcome, DbError> {
    b.committer()
        .append(tenant_id, events.to_vec(), receipt.cloned())
        .await
}

/// One request waiting in the committer's queue.
pub(crate) struct Pending {
    pub tenant_id: i64,
    pub events: Vec<NewEvent>,
    pub receipt: Option<Receipt>,
    pub reply: Reply,
}

/// Applies a group of appends inside `tx`, tenant by tenant (ascending, so
/// that two instances' groups on PostgreSQL lock chain heads in the same
/// order and cannot deadlock), each tenant's requests in arrival order.
/// Returns each request's outcome, in the group's order; an `Err` of the
/// whole means the transaction is lost and nothing may commit.
pub(crate) async fn apply_group<B: Backend>(
    tx: &mut Tx<B>,
    group: &[Pending],
) -> Result<Vec<Result<AppendOutcome, DbError>>, DbError> {
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by_key(|&i| group[i].tenant_id);
    let mut outcomes: Vec<Option<Result<AppendOutcome, DbError>>> =
        group.iter().map(|_| None).collect();
    // Alone, a request needs no savepoint: its failure fails the transaction,
    // which holds nothing else.
    let isolate = group.len() > 1;
    for run in order.chunk_by(|&a, &b| group[a].tenant_id == group[b].tenant_id) {
        let tenant_id = group[run[0]].tenant_id;
        B::enter_scope(tx, &TenantScope::tenant(tenant_id)).await?;
        // Lock the tenant's chain head first: concurrent groups (other
        // instances on PostgreSQL) queue here, so the chain never forks.
        let head: Option<(i64, String)> = Sql::new(format!(
            "SELECT head_seq, head_hash FROM tenants WHERE id = $1{}",
            B::HEAD_LOCK
        ))
        .bind(tenant_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(mut head) = head else {
            for &i in run {
                outcomes[i] = Some(Err(DbError::UnknownTenant(tenant_id.to_string())));
            }
            continue;
        };
        let first_seq = head.0;
        let now = chrono::Utc::now().timestamp_micros();
        for &i in run {
            outcomes[i] = Some(if isolate {
                isolated::<B>(tx, &group[i], &mut head, now).await?
            } else {
                apply_one::<B>(tx, &group[i], &mut head, now).await
            });
        }
        if head.0 == first_seq {
            continue;
        }
        count_rollups::<B>(tx, tenant_id, first_seq, head.0, 1).await?;
        fire_alert_rules::<B>(tx, tenant_id, first_seq, head.0, now).await?;
        Sql::new("UPDATE tenants SET head_seq = $1, head_hash = $2 WHERE id = $3")
            .bind(head.0)
            .bind(&head.1)
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(outcomes
        .into_iter()
        .map(|o| o.expect("every request of the group has an outcome"))
        .collect())
}

/// One request inside a savepoint: on its failure only its own writes are
/// undone and the group goes on. The outer `Err` is a failure to undo them.
async fn isolated<B: Backend>(
    tx: &mut Tx<B>,
    pending: &Pending,
    head: &mut (i64, String),
    now: i64,
) -> Result<Result<AppendOutcome, DbError>, DbError> {
    Sql::<B::Db>::new("SAVEPOINT append")
        .execute(&mut *tx)
        .await?;
    let outcome = apply_one::<B>(tx, pending, head, now).await;
    if outcome.is_err() {
        Sql::<B::Db>::new("ROLLBACK TO SAVEPOINT append")
            .execute(&mut *tx)
            .await?;
    }
    Sql::<B::Db>::new("RELEASE SAVEPOINT append")
        .execute(&mut *tx)
        .await?;
    Ok(outcome)
}

/// One request's events chained onto `head`, which moves only when they are
/// written; or the answer its idempotency key already has.
async fn apply_one<B: Backend>(
    tx: &mut Tx<B>,
    pending: &Pending,
    head: &mut (i64, String),
    now: i64,
) -> Result<AppendOutcome, DbError> {
    let tenant_id = pending.tenant_id;
    if let Some(r) = &pending.receipt {
        // Inside the group's transaction: a retry in the same group sees
        // the first request's receipt.
        let seen: Option<(String, String)> = Sql::new(
            "SELECT request_hash, response FROM ingest_receipts \
             WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at > $3",
        )
        .bind(tenant_id)
        .bind(&r.key)
        .bind(now - RECEIPT_LIFETIME_US)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((hash, response)) = seen {
            return Ok(if hash == r.request_hash {
                AppendOutcome::Replayed(response)
            } else {
                AppendOutcome::KeyReused
            });
        }
    }
    let (stamped, next) = stamp(tenant_id, head.clone(), now, &pending.events);
    for chunk in stamped.chunks(INSERT_CHUNK) {
        insert_events::<B::Db>(chunk)?.execute(&mut *tx).await?;
    }
    if let Some(r) = &pending.receipt {
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
        .execute(&mut *tx)
        .await?;
    }
    *head = next;
    Ok(AppendOutcome::Committed)
}
