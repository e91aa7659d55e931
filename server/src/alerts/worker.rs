//! The delivery worker: claims due deliveries, sends them, records how it
//! went, retries with exponential backoff, and checks "logging stopped"
//! rules. It stops between deliveries, so a restart loses and repeats nothing.

use super::{message, send::Senders};
use crate::config::AlertsConfig;
use app::{
    auth::{Entry, Sealer},
    model::{Outcome, Severity},
    store::{DueDelivery, Health, Store, TenantScope},
};
use std::{
    collections::{BTreeMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};
use tokio::{
    sync::watch,
    task::{JoinHandle, JoinSet},
};

/// Destinations a lane is sending to right now.
type Busy = Arc<Mutex<HashSet<i64>>>;

fn lock(busy: &Busy) -> MutexGuard<'_, HashSet<i64>> {
    busy.lock().unwrap_or_else(|e| e.into_inner())
}

/// Deliveries claimed per round.
const CLAIM: i64 = 20;
/// Longest wait between attempts.
const MAX_BACKOFF_MS: u64 = 3_600_000;

/// How long to wait before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff(base_ms: u64, attempts: u32) -> Duration {
    let factor = 1u64 << attempts.saturating_sub(1).min(30);
    Duration::from_millis(base_ms.saturating_mul(factor).min(MAX_BACKOFF_MS))
}

pub struct Worker {
    store: Arc<dyn Store>,
    senders: Senders,
    /// Opens destinations' sealed secrets just before sending.
    sealer: Sealer,
    config: AlertsConfig,
    base: String,
}

/// A running worker; `stop` lets it finish the delivery in hand.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Starts the worker; `base` is the address notification links point to.
pub fn spawn(
    store: Arc<dyn Store>,
    config: &AlertsConfig,
    base: String,
    sealer: Sealer,
) -> Result<WorkerHandle, String> {
    let worker = Worker::new(store, config, base, sealer)?;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(worker.run(stopped));
    Ok(WorkerHandle { stop, task })
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        config: &AlertsConfig,
        base: String,
        sealer: Sealer,
    ) -> Result<Worker, String> {
        Ok(Worker {
            senders: Senders::new(config)?,
            sealer,
            store,
            config: config.clone(),
            base,
        })
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let worker = Arc::new(self);
        let poll = Duration::from_millis(worker.config.poll_ms.max(10));
        let silence_every = Duration::from_secs(worker.config.silence_check_secs.max(1));
        let mut last_silence_check: Option<tokio::time::Instant> = None;
        let busy: Busy = Arc::default();
        let mut lanes = JoinSet::new();
        while !*stopped.borrow() {
            if last_silence_check.is_none_or(|at| at.elapsed() >= silence_every) {
                last_silence_check = Some(tokio::time::Instant::now());
                if let Err(err) = worker.check_silences().await {
                    tracing::error!(error = %err, "checking logging-stopped rules failed");
                }
            }
            if let Err(err) = worker.start_lanes(&busy, &mut lanes, &stopped).await {
                tracing::error!(error = %err, "alert delivery round failed");
            }
            // A lane that finishes makes room for its destination's next
            // deliveries at once; otherwise look again after `poll`.
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = stopped.changed() => {}
                Some(_) = lanes.join_next(), if !lanes.is_empty() => {}
            }
        }
        // Each lane finishes the delivery in hand and gives back the rest.
        while lanes.join_next().await.is_some() {}
    }

    /// Claims what is due for destinations no lane is sending to, and
    /// starts one lane per destination: deliveries to one destination go in
    /// order, one at a time, while a destination that never answers holds
    /// up only its own lane.
    async fn start_lanes(
        self: &Arc<Self>,
        busy: &Busy,
        lanes: &mut JoinSet<()>,
        stopped: &watch::Receiver<bool>,
    ) -> Result<(), String> {
        let lease = Duration::from_secs(self.config.timeout_secs.max(1) * 2 + 60);
        let now = chrono::Utc::now().timestamp_micros();
        let skip: Vec<i64> = lock(busy).iter().copied().collect();
        let due = self
            .store
            .claim_deliveries(now, lease.as_micros() as i64, CLAIM, &skip)
            .await
            .map_err(|e| e.to_string())?;
        let mut by_destination: BTreeMap<i64, Vec<DueDelivery>> = BTreeMap::new();
        for delivery in due {
            by_destination
                .entry(delivery.destination_id)
                .or_default()
                .push(delivery);
        }
        for (destination, deliveries) in by_destination {
            lock(busy).insert(destination);
            let (worker, busy, stopped) = (self.clone(), busy.clone(), stopped.clone());
            lanes.spawn(async move {
                worker.lane(deliveries, &stopped).await;
                lock(&busy).remove(&destination);
            });
        }
        Ok(())
    }

    /// Sends one destination's claimed deliveries in order; on a stop (or
    /// a store error) gives back the ones not attempted.
    async fn lane(&self, deliveries: Vec<DueDelivery>, stopped: &watch::Receiver<bool>) {
        for (i, delivery) in deliveries.iter().enumerate() {
            if *stopped.borrow() {
                return self.release(&deliveries[i..]).await;
            }
            if let Err(err) = self.deliver(delivery).await {
                tracing::error!(error = %err, delivery = delivery.id, "alert delivery could not be recorded");
                return self.release(&deliveries[i..]).await;
            }
        }
    }

    /// Gives claimed deliveries back, so the next round need not wait for
    /// their lease to run out.
    async fn release(&self, rest: &[DueDelivery]) {
        if let Err(err) = self.store.release_deliveries(rest).await {
            tracing::error!(error = %err, "could not give back unsent deliveries");
        }
    }

    async fn deliver(&self, d: &DueDelivery) -> Result<(), app::store::DbError> {
        let event = match &d.event_id {
            Some(id) if d.kind == "webhook" => {
                self.store
                    .get_event(&TenantScope::all_tenants(), id)
                    .await?
            }
            _ => None,
        };
        let notice = message::notice(d, &self.base);
        let payload = message::payload(d, &notice, event.as_ref());
        let result = match self.opened(d) {
            Ok(opened) => self.senders.send(&opened, &notice, &payload).await,
            Err(err) => Err(err.to_string()),
        };
        let now = chrono::Utc::now().timestamp_micros();
        match result {
            Ok(()) => {
                tracing::info!(delivery = d.id, destination = %d.destination, "alert delivered");
                match self.store.delivery_sent(d, now).await? {
                    Health::ClaimLost => claim_lost(d),
                    Health::Recovered => {
                        self.log(
                            d,
                            Entry::new(
                                "alert.destination_recovered",
                                "updated",
                                format!("Alert destination {} delivers again", d.destination),
                            ),
                        )
                        .await
                    }
                    Health::Unchanged | Health::BecameFailing => {}
                }
            }
            Err(error) => {
                let attempts = d.attempts as u32 + 1;
                let retry_at = (attempts < self.config.max_attempts)
                    .then(|| now + backoff(self.config.retry_base_ms, attempts).as_micros() as i64);
                tracing::warn!(delivery = d.id, destination = %d.destination, attempts, %error, "alert delivery failed");
                let health = self.store.delivery_failed(d, &error, now, retry_at).await?;
                if health == Health::ClaimLost {
                    claim_lost(d);
                    return Ok(());
                }
                if health == Health::BecameFailing {
                    self.log(
                        d,
                        Entry::new(
                            "alert.destination_failing",
                            "updated",
                            format!("Alert destination {} is failing: {error}", d.destination),
                        )
                        .outcome(Outcome::Failure)
                        .severity(Severity::Critical),
                    )
                    .await;
                }
                if retry_at.is_none() {
                    self.log(
                        d,
                        Entry::new(
                            "alert.delivery_failed",
                            "failed",
                            format!(
                                "Gave up delivering \"{}\" to {} after {attempts} attempts: {error}",
                                notice.line, d.destination
                            ),
                        )
                        .outcome(Outcome::Failure)
                        .severity(Severity::Critical)
                    ,
                    )
                    .await;
                }
            }
        }
        Ok(())
    }

    /// `d` with its sealed target (Slack) and secret opened.
    fn opened(&self, d: &DueDelivery) -> Result<DueDelivery, app::auth::SealError> {
        let mut opened = d.clone();
        opened.target = self.sealer.open(&d.target)?;
        opened.secret = d
            .secret
            .as_deref()
            .map(|s| self.sealer.open(s))
            .transpose()?;
        Ok(opened)
    }

    async fn check_silences(&self) -> Result<(), app::store::DbError> {
        let now = chrono::Utc::now().timestamp_micros();
        for silence in self.store.fire_silences(now).await? {
            tracing::warn!(rule = %silence.rule, tenant = %silence.tenant, "logging stopped");
        }
        Ok(())
    }

    /// Records what happened to `d`'s destination in Logbook's own log; a
    /// failure to do so is itself logged, never allowed to stop deliveries.
    async fn log(&self, d: &DueDelivery, entry: Entry) {
        let entry = entry
            .resource(
                "alert_destination",
                d.destination_id,
                Some(d.destination.clone()),
            )
            // The actor rules never match (WORKER_ACTOR).
            .by_system("alerts");
        if let Err(err) = entry.record(&*self.store).await {
            tracing::error!(error = %err, "could not record an alert event in the own log");
        }
    }
}

/// The attempt outlived its claim (a stalled worker) and another worker
/// has the delivery now: its outcome is that worker's to record.
fn claim_lost(d: &DueDelivery) {
    tracing::warn!(
        delivery = d.id,
        destination = %d.destination,
        "a delivery's claim ran out while it was being sent; another worker has it"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        assert_eq!(backoff(5_000, 1), Duration::from_secs(5));
        assert_eq!(backoff(5_000, 2), Duration::from_secs(10));
        assert_eq!(backoff(5_000, 4), Duration::from_secs(40));
        assert_eq!(backoff(5_000, 30), Duration::from_secs(3_600));
        assert_eq!(backoff(5_000, 0), Duration::from_secs(5));
    }
}
