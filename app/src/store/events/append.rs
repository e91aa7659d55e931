//! Appending events: each stamped with its place in the tenant's chain and
//! inserted in chunks, by the committer (`committer`), which writes the
//! requests that arrive together as one group (`group`), with the rollups,
//! the alert outbox and the chain head, in one transaction.

use crate::store::{
    backend::{Backend, Dialect, Tx},
    chain::hash,
    error::DbError,
    events::{
        columns::{insert_columns, COLUMNS},
        records::{AppendOutcome, NewEvent, Receipt},
        user_agents::AgentIds,
    },
    sql::{Arg, Sql},
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
    events: impl IntoIterator<Item = &'e NewEvent>,
) -> (Vec<Stamped<'e>>, (i64, String)) {
    let (mut seq, mut prev) = head;
    let events = events.into_iter();
    let mut out = Vec::with_capacity(events.size_hint().0);
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

/// A multi-row INSERT for one chunk of stamped events; `agents` numbers
/// their user agents (`user_agents::resolve`).
pub fn insert_events<D: Dialect>(
    rows: &[Stamped<'_>],
    agents: &AgentIds,
) -> Result<Sql<D>, DbError> {
    let mut qb = Sql::new(format!("INSERT INTO events ({}) VALUES ", insert_columns()));
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push_tuple(insert_values(r, agents)?);
    }
    Ok(qb)
}

/// Writes `stamped` inside `tx`, `INSERT_CHUNK` rows to a statement.
pub(crate) async fn write_stamped<B: Backend>(
    tx: &mut Tx<B>,
    stamped: &[Stamped<'_>],
    agents: &AgentIds,
) -> Result<(), DbError> {
    for chunk in stamped.chunks(INSERT_CHUNK) {
        insert_events::<B::Db>(chunk, agents)?
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Records the tenant's chain head as `(seq, hash)` inside `tx`.
pub(crate) async fn move_head<B: Backend>(
    tx: &mut Tx<B>,
    tenant_id: i64,
    seq: i64,
    hash: &str,
) -> Result<(), DbError> {
    Sql::new("UPDATE tenants SET head_seq = $1, head_hash = $2 WHERE id = $3")
        .bind(seq)
        .bind(hash)
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// One stamped event's values in `COLUMNS` order (its length is checked
/// against `COLUMNS` by the compiler).
fn insert_values(r: &Stamped<'_>, agents: &AgentIds) -> Result<[Arg; COLUMNS.len()], DbError> {
    let e = r.event;
    let user_agent =
        match e.user_agent.as_deref() {
            None => None,
            Some(text) => Some(*agents.get(text).ok_or_else(|| {
                DbError::Corrupt(format!("user agent {text:?} was not resolved"))
            })?),
        };
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
        user_agent.into(),
        e.request_id.as_deref().into(),
        e.description.as_str().into(),
        json(e.before.as_ref())?,
        json(e.after.as_ref())?,
        json(e.metadata.as_ref())?,
        digest(&r.prev_hash)?,
        digest(&r.hash)?,
    ])
}

/// A hash column's value: the digest's bytes, not its hex text.
fn digest(hex_text: &str) -> Result<Arg, DbError> {
    hex::decode(hex_text)
        .map(Arg::Bytes)
        .map_err(|e| DbError::Corrupt(format!("hash {hex_text:?}: {e}")))
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
