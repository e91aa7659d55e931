//! Concurrent ingest clients that remember what the server acknowledged:
//! single events and batches, every other request with an Idempotency-Key.

use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::watch;

/// The action the alert rule of the crash run matches.
pub const ALERTED_ACTION: &str = "balance.transferred";

/// One ingest request, kept whole so it can be sent again with its key.
#[derive(Clone, Debug)]
pub struct Request {
    pub api_key: String,
    pub idempotency_key: Option<String>,
    pub body: Value,
    /// Each event's description: unique across the run.
    pub markers: Vec<String>,
}

/// What the clients know of what they sent.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Acknowledged events: marker to the id the server answered with.
    pub acked: HashMap<String, String>,
    /// Requests with a key that got no answer: sent again after a restart.
    pub pending: Vec<Request>,
    /// Markers of requests without a key that got no answer: stored at
    /// most once, maybe not at all.
    pub unknown: HashSet<String>,
    /// Answers other than 200, by status.
    pub refused: HashMap<u16, u64>,
    /// Every request's end: when, its status (0: no answer), how long.
    pub answers: Vec<Answer>,
}

#[derive(Clone, Copy, Debug)]
pub struct Answer {
    pub at: Instant,
    pub status: u16,
    pub took: Duration,
}

pub type Shared = Arc<Mutex<Ledger>>;

/// A request of 1 event (half the time) or a batch of 2 to 50, for one of
/// the tenants' keys; `seq` makes its markers unique.
pub fn request(rng: &mut StdRng, keys: &[String], client: usize, seq: u64) -> Request {
    let size = if rng.gen_bool(0.5) {
        1
    } else {
        rng.gen_range(2..=50)
    };
    let markers: Vec<String> = (0..size)
        .map(|i| format!("c{client}-r{seq}-e{i}"))
        .collect();
    let events: Vec<Value> = markers
        .iter()
        .map(|marker| {
            let action = if rng.gen_bool(0.2) {
                ALERTED_ACTION
            } else {
                ["user.login", "license.hwid_reset", "settings.changed"][rng.gen_range(0..3)]
            };
            event(action, marker, rng.gen_range(0..40))
        })
        .collect();
    Request {
        api_key: keys[rng.gen_range(0..keys.len())].clone(),
        idempotency_key: seq.is_multiple_of(2).then(|| format!("k-{client}-{seq}")),
        body: if size == 1 {
            events.into_iter().next().expect("one event")
        } else {
            Value::Array(events)
        },
        markers,
    }
}

/// A plausible event: a staff member or customer acting on a licence.
pub fn event(action: &str, description: &str, actor: u32) -> Value {
    json!({
        "action": action,
        "actor": { "id": format!("u-{actor}"), "name": format!("User {actor}"),
                   "email": format!("user{actor}@example.com"), "type": "customer" },
        "resource": { "type": "license", "id": format!("KEY-{actor:04}") },
        "ip": format!("198.51.{}.{}", actor / 250, actor % 250 + 1),
        "before": { "hwid": "9F2A-11C0" },
        "after": { "hwid": "77BE-0C1D" },
        "outcome": if actor.is_multiple_of(7) { "failure" } else { "success" },
        "description": description,
    })
}

/// How a request ended.
pub enum Sent {
    /// 200: the ids, in the order of the events.
    Acked(Vec<String>),
    /// Another status: the server said no (nothing stored), and why.
    Refused(u16, String),
    /// No answer: the connection broke.
    Lost,
}

/// `request` as an HTTP request to the ingest API, its key attached.
pub fn post(client: &reqwest::Client, base: &str, request: &Request) -> reqwest::RequestBuilder {
    let builder = client
        .post(format!("{base}/api/v1/events"))
        .bearer_auth(&request.api_key)
        .json(&request.body);
    match &request.idempotency_key {
        Some(key) => builder.header("Idempotency-Key", key),
        None => builder,
    }
}

/// Sends `request` once.
pub async fn send(client: &reqwest::Client, base: &str, request: &Request) -> Sent {
    let Ok(response) = post(client, base, request).send().await else {
        return Sent::Lost;
    };
    let status = response.status().as_u16();
    if status != 200 {
        return Sent::Refused(status, response.text().await.unwrap_or_default());
    }
    let Ok(body) = response.json::<Value>().await else {
        return Sent::Lost;
    };
    let ids = body["results"]
        .as_array()
        .map(|results| {
            results
                .iter()
                .filter_map(|r| r["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Sent::Acked(ids)
}

impl Ledger {
    /// Records how `request` ended.
    pub fn record(&mut self, request: Request, sent: Sent, took: Duration) {
        self.answers.push(Answer {
            at: Instant::now(),
            status: match sent {
                Sent::Acked(_) => 200,
                Sent::Refused(status, _) => status,
                Sent::Lost => 0,
            },
            took,
        });
        match sent {
            Sent::Acked(ids) => {
                assert_eq!(ids.len(), request.markers.len(), "one id per event");
                for (marker, id) in request.markers.into_iter().zip(ids) {
                    self.unknown.remove(&marker);
                    self.acked.insert(marker, id);
                }
            }
            Sent::Refused(status, _) => {
                *self.refused.entry(status).or_default() += 1;
                if request.idempotency_key.is_some() {
                    self.pending.push(request);
                }
            }
            Sent::Lost if request.idempotency_key.is_some() => self.pending.push(request),
            Sent::Lost => self.unknown.extend(request.markers),
        }
    }
}

/// `clients` tasks sending requests as fast as they are answered until
/// `stop` turns true or their connection breaks.
pub fn start(
    clients: usize,
    base: &str,
    keys: &[String],
    ledger: &Shared,
    stop: &watch::Receiver<bool>,
    seed: u64,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..clients)
        .map(|c| {
            let (base, keys, ledger, stop) = (
                base.to_string(),
                keys.to_vec(),
                ledger.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let client = crate::server::client();
                let mut rng = StdRng::seed_from_u64(seed ^ ((c as u64) << 32));
                let mut seq = seed.wrapping_mul(1_000_000);
                while !*stop.borrow() {
                    seq += 1;
                    let request = request(&mut rng, &keys, c, seq);
                    let started = Instant::now();
                    let sent = send(&client, &base, &request).await;
                    let broke = matches!(sent, Sent::Lost);
                    let refused = matches!(sent, Sent::Refused(..));
                    ledger
                        .lock()
                        .expect("ledger")
                        .record(request, sent, started.elapsed());
                    if broke {
                        return;
                    }
                    if refused {
                        // As a client honouring Retry-After would, briefly.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect()
}

/// Sends every pending keyed request again until each is answered 200;
/// how many there were, or the answer one kept getting.
pub async fn resend_pending(base: &str, ledger: &Shared) -> Result<usize, String> {
    let pending = std::mem::take(&mut ledger.lock().expect("ledger").pending);
    let count = pending.len();
    let client = crate::server::client();
    for request in pending {
        let mut tries = 0;
        loop {
            let started = Instant::now();
            match send(&client, base, &request).await {
                Sent::Acked(ids) => {
                    ledger.lock().expect("ledger").record(
                        request,
                        Sent::Acked(ids),
                        started.elapsed(),
                    );
                    break;
                }
                _ if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Sent::Refused(status, body) => {
                    return Err(format!(
                        "a keyed request was refused 100 times: {status} {body}"
                    ))
                }
                Sent::Lost => return Err("a keyed request got no answer 100 times".into()),
            }
        }
    }
    Ok(count)
}
