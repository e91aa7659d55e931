//! Group commit: appends from concurrent requests share one transaction and
//! one fsync.
//!
//! Each request hands its events to the committer, a task that owns the
//! writer. While one group commits, the next one gathers in the queue, so a
//! group is as large as the load makes it: one request when idle, dozens
//! under concurrency, with no timer to tune. Every request is answered only
//! after the commit that holds its events (a `200` still means on disk), and
//! keeps its own outcome: one request's error rolls back only its savepoint
//! (see `group`).

use super::{
    group::{apply_group, Pending},
    records::{AppendOutcome, NewEvent, Receipt},
    user_agents::KnownAgents,
};
use crate::store::{backend::Backend, error::DbError};
use sqlx::Pool;
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex,
};
use tokio::sync::{mpsc, oneshot};

/// Requests waiting for the writer. Past this, `append` waits for room: the
/// queue holds at most this many requests' events in memory.
const QUEUE: usize = 1024;
/// Most requests in one group: bounds the time the first waits for the last.
const GROUP_REQUESTS: usize = 256;
/// Events past which a group takes no more requests: a large batch is
/// already one transaction's worth, and grouping it with others only made
/// them wait longer (batches of 1,000 ran ~15% slower grouped).
const GROUP_EVENTS: usize = 1_000;

/// What one request receives once its group is committed (or failed).
pub(crate) type Reply = oneshot::Sender<Result<AppendOutcome, DbError>>;

/// The handle requests append through; the writer task stops once every
/// handle (every clone of the store) is gone.
#[derive(Clone, Debug)]
pub struct Committer {
    queue: mpsc::Sender<Pending>,
    counts: Arc<Counts>,
}

/// How many groups the committer has committed, and how many requests they
/// held: their ratio is the mean group size.
#[derive(Debug, Default)]
struct Counts {
    groups: AtomicU64,
    requests: AtomicU64,
    /// Why the last commit failed, while no commit has succeeded since.
    fault: Mutex<Option<WriteFault>>,
}

/// Why appends are being refused right now: the storage's fault, not any
/// request's. Cleared by the next commit that succeeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteFault {
    /// `"storage_full"` or `"unreachable"`.
    pub code: &'static str,
    /// The store error's message.
    pub message: String,
}

/// A reading of the committer's counters since it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitStats {
    /// Transactions committed (or failed) for grouped appends.
    pub groups: u64,
    /// Append requests they held.
    pub requests: u64,
}

impl Committer {
    /// Starts the writer on `pool`, the backend's writer pool. The task holds
    /// the pool, never the store, so dropping the store ends it.
    pub(crate) fn start<B: Backend>(pool: Pool<B::Db>) -> Committer {
        let (queue, requests) = mpsc::channel(QUEUE);
        let counts = Arc::new(Counts::default());
        tokio::spawn(run::<B>(pool, requests, counts.clone()));
        Committer { queue, counts }
    }

    /// The counters since the store was opened.
    pub fn stats(&self) -> CommitStats {
        CommitStats {
            groups: self.counts.groups.load(Ordering::Relaxed),
            requests: self.counts.requests.load(Ordering::Relaxed),
        }
    }

    /// Why appends are refused at the moment, if the storage is at fault.
    pub fn fault(&self) -> Option<WriteFault> {
        self.counts.fault.lock().expect("fault lock").clone()
    }

    /// Appends `events` to the tenant's chain in the next group; returns once
    /// that group is committed.
    pub(crate) async fn append(
        &self,
        tenant_id: i64,
        events: Vec<NewEvent>,
        receipt: Option<Receipt>,
    ) -> Result<AppendOutcome, DbError> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            tenant_id,
            events,
            receipt,
            reply,
        };
        self.queue.send(pending).await.map_err(|_| stopped())?;
        // The task answers every request it took, even when the commit
        // fails; no answer means it stopped (the runtime is shutting down).
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> DbError {
    DbError::Commit("the writer has stopped".into())
}

/// Takes what is queued, up to a group's bounds, and commits it; again.
async fn run<B: Backend>(
    pool: Pool<B::Db>,
    mut requests: mpsc::Receiver<Pending>,
    counts: Arc<Counts>,
) {
    let mut known = KnownAgents::default();
    while let Some(first) = requests.recv().await {
        let mut events = first.events.len();
        let mut group = vec![first];
        while group.len() < GROUP_REQUESTS && events < GROUP_EVENTS {
            match requests.try_recv() {
                Ok(next) => {
                    events += next.events.len();
                    group.push(next);
                }
                Err(_) => break,
            }
        }
        counts.groups.fetch_add(1, Ordering::Relaxed);
        counts
            .requests
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        commit::<B>(&pool, group, &mut known, &counts.fault).await;
    }
}

/// One transaction for the whole group; each request answered after it.
#[tracing::instrument(skip_all, fields(requests = group.len()))]
async fn commit<B: Backend>(
    pool: &Pool<B::Db>,
    group: Vec<Pending>,
    known: &mut KnownAgents,
    fault: &Mutex<Option<WriteFault>>,
) {
    let result = async {
        let mut tx = B::begin_group(pool).await?;
        let applied = apply_group::<B>(&mut tx, &group, known).await?;
        tx.commit().await?;
        Ok::<_, DbError>(applied)
    }
    .await;
    let now_faulty = match &result {
        Ok(_) => None,
        Err(err) => fault_of(err),
    };
    // A request's own error (an unknown tenant) says nothing of the storage.
    if result.is_ok() || now_faulty.is_some() {
        *fault.lock().expect("fault lock") = now_faulty;
    }
    match result {
        Ok((outcomes, agents)) => {
            // Only now are the numbers stored for good.
            known.learn(agents);
            for (pending, outcome) in group.into_iter().zip(outcomes) {
                // A request that gave up waiting has nobody to tell.
                let _ = pending.reply.send(outcome);
            }
        }
        // A request alone gets its own error (an unknown tenant, a
        // repeated event id) as it is.
        Err(err) if group.len() == 1 => {
            let pending = group.into_iter().next().expect("one request");
            let _ = pending.reply.send(Err(err));
        }
        Err(err) => {
            tracing::error!(error = %err, "a group of appends failed to commit");
            for pending in group {
                let _ = pending.reply.send(Err(err.for_each_request()));
            }
        }
    }
}

fn fault_of(err: &DbError) -> Option<WriteFault> {
    let code = match err {
        DbError::StorageFull => "storage_full",
        DbError::Unreachable(_) => "unreachable",
        _ => return None,
    };
    Some(WriteFault {
        code,
        message: err.to_string(),
    })
}
