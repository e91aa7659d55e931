//! One group of appends inside the committer's transaction.
//!
//! Statements, not rows, are what a group costs (each is a round trip to
//! the database), so a group is written per tenant, not per request: one
//! read of every chain head, then for each tenant one look-up of the
//! idempotency keys, one multi-row INSERT of every request's events and one
//! of the receipts; the rollups once for the whole group. Should a tenant's
//! combined write fail (one request repeating a stored event's id, say), it
//! is undone and that tenant's requests are applied again one by one, each
//! in a savepoint of its own, so only the faulty one fails.

use crate::store::{
    alerts::fire::fire_alert_rules,
    backend::{Backend, Tx},
    error::DbError,
    events::{
        append::{move_head, stamp, write_stamped},
        committer::Reply,
        records::{AppendOutcome, NewEvent, Receipt, RECEIPT_LIFETIME_US},
        user_agents::{resolve, AgentIds, KnownAgents},
    },
    scope::TenantScope,
    sql::Sql,
    tallies::rollups::count_rollups_of,
};
use std::collections::{HashMap, HashSet};

/// One request waiting in the committer's queue.
pub(crate) struct Pending {
    pub tenant_id: i64,
    pub events: Vec<NewEvent>,
    pub receipt: Option<Receipt>,
    pub reply: Reply,
}

type Outcome = Result<AppendOutcome, DbError>;

/// A chain head: the last sequence number and hash.
type Head = (i64, String);

/// Applies a group inside `tx`, tenant by tenant (ascending, so two
/// instances' groups on PostgreSQL lock chain heads in one order and cannot
/// deadlock), each tenant's requests in arrival order. Returns each
/// request's outcome in the group's order, and the user agents' numbers
/// (for `known`, once committed); an `Err` of the whole means the
/// transaction is lost and nothing may commit.
pub(crate) async fn apply_group<B: Backend>(
    tx: &mut Tx<B>,
    group: &[Pending],
    known: &KnownAgents,
) -> Result<(Vec<Outcome>, AgentIds), DbError> {
    // The committer writes for every tenant it was handed; each request's
    // tenant comes from its authenticated key, never from its events.
    B::enter_scope(tx, &TenantScope::all_tenants()).await?;
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by_key(|&i| group[i].tenant_id);
    let mut heads = lock_heads::<B>(tx, group, &order).await?;
    // Outside every savepoint: a dictionary row stays for the requests
    // that commit even when the one that named it first fails.
    let texts = group.iter().flat_map(|p| &p.events);
    let agents = resolve::<B>(tx, known, texts.filter_map(|e| e.user_agent.as_deref())).await?;
    let mut outcomes: Vec<Option<Outcome>> = group.iter().map(|_| None).collect();
    // Alone, a request needs no savepoint: its failure fails the group.
    let alone = group.len() == 1;
    let now = chrono::Utc::now().timestamp_micros();
    let mut moved = Vec::new();
    for run in order.chunk_by(|&a, &b| group[a].tenant_id == group[b].tenant_id) {
        let tenant_id = group[run[0]].tenant_id;
        let Some(head) = heads.get_mut(&tenant_id) else {
            for &i in run {
                outcomes[i] = Some(Err(DbError::UnknownTenant(tenant_id.to_string())));
            }
            continue;
        };
        let first_seq = head.0;
        let requests: Vec<&Pending> = run.iter().map(|&i| &group[i]).collect();
        let results = if alone {
            vec![Ok(
                apply_one::<B>(tx, requests[0], head, now, &agents).await?
            )]
        } else {
            apply_run::<B>(tx, &requests, head, now, &agents).await?
        };
        for (&i, result) in run.iter().zip(results) {
            outcomes[i] = Some(result);
        }
        if head.0 > first_seq {
            moved.push((tenant_id, first_seq, head.clone()));
        }
    }
    let ranges: Vec<(i64, i64, i64)> = moved.iter().map(|(t, a, h)| (*t, *a, h.0)).collect();
    count_rollups_of::<B>(tx, &ranges, 1).await?;
    let alerted = tenants_with_rules::<B>(tx).await?;
    for (tenant_id, first_seq, (seq, hash)) in &moved {
        if alerted.as_ref().is_none_or(|t| t.contains(tenant_id)) {
            fire_alert_rules::<B>(tx, *tenant_id, *first_seq, *seq, now).await?;
        }
        move_head::<B>(tx, *tenant_id, *seq, hash).await?;
    }
    let outcomes = outcomes
        .into_iter()
        .map(|o| o.expect("every request of the group has an outcome"))
        .collect();
    Ok((outcomes, agents))
}

/// Every tenant's chain head in one statement, locked in ascending order
/// where the backend locks (PostgreSQL): concurrent groups queue here, so
/// a chain never forks. A tenant missing from the answer does not exist.
async fn lock_heads<B: Backend>(
    tx: &mut Tx<B>,
    group: &[Pending],
    order: &[usize],
) -> Result<HashMap<i64, Head>, DbError> {
    let mut tenants: Vec<i64> = order.iter().map(|&i| group[i].tenant_id).collect();
    tenants.dedup();
    let mut sql = Sql::<B::Db>::new("SELECT id, head_seq, head_hash FROM tenants WHERE id IN (");
    sql.push_list(tenants.iter().copied());
    sql.push(") ORDER BY id");
    sql.push(B::HEAD_LOCK);
    let rows: Vec<(i64, i64, String)> = sql.fetch_all(&mut *tx).await?;
    Ok(rows.into_iter().map(|(id, s, h)| (id, (s, h))).collect())
}

/// The tenants whose events an alert rule may match, or `None` when a rule
/// covers every tenant; tenants without rules skip the matching.
async fn tenants_with_rules<B: Backend>(tx: &mut Tx<B>) -> Result<Option<HashSet<i64>>, DbError> {
    let rows: Vec<(Option<i64>,)> = Sql::<B::Db>::new(
        "SELECT DISTINCT r.tenant_id FROM alert_rules r \
         WHERE r.enabled = TRUE AND r.silence_secs IS NULL \
         AND EXISTS (SELECT 1 FROM alert_rule_destinations rd WHERE rd.rule_id = r.id)",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut tenants = HashSet::new();
    for (tenant,) in rows {
        match tenant {
            Some(id) => tenants.insert(id),
            None => return Ok(None),
        };
    }
    Ok(Some(tenants))
}

/// One tenant's requests written together inside a savepoint; if that
/// fails, undone and applied one by one.
async fn apply_run<B: Backend>(
    tx: &mut Tx<B>,
    requests: &[&Pending],
    head: &mut Head,
    now: i64,
    agents: &AgentIds,
) -> Result<Vec<Outcome>, DbError> {
    savepoint::<B>(tx, "SAVEPOINT run").await?;
    let start = head.clone();
    match write_run::<B>(tx, requests, head, now, agents).await {
        Ok(outcomes) => {
            savepoint::<B>(tx, "RELEASE SAVEPOINT run").await?;
            Ok(outcomes)
        }
        Err(err) => {
            tracing::debug!(error = %err, "a combined append failed; applying its requests one by one");
            savepoint::<B>(tx, "ROLLBACK TO SAVEPOINT run").await?;
            savepoint::<B>(tx, "RELEASE SAVEPOINT run").await?;
            *head = start;
            let mut outcomes = Vec::with_capacity(requests.len());
            for pending in requests {
                outcomes.push(isolated::<B>(tx, pending, head, now, agents).await?);
            }
            Ok(outcomes)
        }
    }
}

/// The combined write: which requests an earlier receipt answers, then
/// every other request's events in one INSERT and their receipts in another.
async fn write_run<B: Backend>(
    tx: &mut Tx<B>,
    requests: &[&Pending],
    head: &mut Head,
    now: i64,
    agents: &AgentIds,
) -> Result<Vec<Outcome>, DbError> {
    let tenant_id = requests[0].tenant_id;
    let mut seen = seen_receipts::<B>(tx, tenant_id, requests, now).await?;
    let mut outcomes = Vec::with_capacity(requests.len());
    let mut events: Vec<&NewEvent> = Vec::new();
    let mut receipts: Vec<&Receipt> = Vec::new();
    for pending in requests {
        if let Some(r) = &pending.receipt {
            if let Some((hash, response)) = seen.get(r.key.as_str()) {
                outcomes.push(Ok(answer(&r.request_hash, hash, response)));
                continue;
            }
            // A retry later in this run is answered by this request.
            seen.insert(&r.key, (r.request_hash.clone(), r.response.clone()));
            receipts.push(r);
        }
        events.extend(&pending.events);
        outcomes.push(Ok(AppendOutcome::Committed));
    }
    let (stamped, next) = stamp(tenant_id, head.clone(), now, events);
    write_stamped::<B>(tx, &stamped, agents).await?;
    if !receipts.is_empty() {
        insert_receipts::<B>(tx, tenant_id, &receipts, now).await?;
    }
    *head = next;
    Ok(outcomes)
}

/// The first answer to the same key and body, or a refusal for another body.
fn answer(request_hash: &str, seen_hash: &str, response: &str) -> AppendOutcome {
    if request_hash == seen_hash {
        AppendOutcome::Replayed(response.to_string())
    } else {
        AppendOutcome::KeyReused
    }
}

/// The live receipts for the run's idempotency keys, by key.
async fn seen_receipts<'p, B: Backend>(
    tx: &mut Tx<B>,
    tenant_id: i64,
    requests: &[&'p Pending],
    now: i64,
) -> Result<HashMap<&'p str, (String, String)>, DbError> {
    let keys: Vec<&str> = requests
        .iter()
        .filter_map(|p| p.receipt.as_ref().map(|r| r.key.as_str()))
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::<B::Db>::new(
        "SELECT idempotency_key, request_hash, response FROM ingest_receipts WHERE tenant_id = ",
    );
    sql.push_bind(tenant_id)
        .push(" AND created_at > ")
        .push_bind(now - RECEIPT_LIFETIME_US)
        .push(" AND idempotency_key IN (");
    sql.push_list(keys.iter().copied()).push(")");
    let rows: Vec<(String, String, String)> = sql.fetch_all(&mut *tx).await?;
    let mut seen = HashMap::new();
    for (key, hash, response) in rows {
        if let Some(k) = keys.iter().find(|k| **k == key) {
            seen.insert(*k, (hash, response));
        }
    }
    Ok(seen)
}

async fn insert_receipts<B: Backend>(
    tx: &mut Tx<B>,
    tenant_id: i64,
    receipts: &[&Receipt],
    now: i64,
) -> Result<(), DbError> {
    let mut sql = Sql::<B::Db>::new(
        "INSERT INTO ingest_receipts (tenant_id, idempotency_key, request_hash, \
         response, created_at) VALUES ",
    );
    for (i, r) in receipts.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push_tuple([
            tenant_id.into(),
            r.key.as_str().into(),
            r.request_hash.as_str().into(),
            r.response.as_str().into(),
            now.into(),
        ]);
    }
    // An expired receipt under the same key is replaced.
    sql.push(
        " ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET \
         request_hash = excluded.request_hash, response = excluded.response, \
         created_at = excluded.created_at",
    );
    sql.execute(&mut *tx).await?;
    Ok(())
}

async fn savepoint<B: Backend>(tx: &mut Tx<B>, statement: &str) -> Result<(), DbError> {
    Sql::<B::Db>::new(statement).execute(&mut *tx).await?;
    Ok(())
}

/// One request inside a savepoint of its own: on failure only its writes
/// are undone. The outer `Err` is a failure to undo them.
async fn isolated<B: Backend>(
    tx: &mut Tx<B>,
    pending: &Pending,
    head: &mut Head,
    now: i64,
    agents: &AgentIds,
) -> Result<Outcome, DbError> {
    savepoint::<B>(tx, "SAVEPOINT one").await?;
    let outcome = apply_one::<B>(tx, pending, head, now, agents).await;
    if outcome.is_err() {
        savepoint::<B>(tx, "ROLLBACK TO SAVEPOINT one").await?;
    }
    savepoint::<B>(tx, "RELEASE SAVEPOINT one").await?;
    Ok(outcome)
}

/// One request's events chained onto `head`, which moves only once they
/// are written; or the answer its idempotency key already has. The combined
/// write of a run of one.
async fn apply_one<B: Backend>(
    tx: &mut Tx<B>,
    pending: &Pending,
    head: &mut Head,
    now: i64,
    agents: &AgentIds,
) -> Outcome {
    let mut outcomes = write_run::<B>(tx, &[pending], head, now, agents).await?;
    outcomes.pop().expect("one outcome per request")
}
