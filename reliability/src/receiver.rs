//! A webhook receiver on loopback that counts what Logbook delivered.

use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post, Router};
use serde_json::Value;
use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// One webhook received: its delivery id and the event it carried.
#[derive(Clone, Debug)]
pub struct Received {
    pub delivery: String,
    pub event_id: Option<String>,
}

/// The receiver's address and what reached it.
pub struct Receiver {
    pub url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/hook", post(take))
            .with_state(got.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the receiver");
        let url = format!(
            "http://{}/hook",
            listener.local_addr().expect("its address")
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, got }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("received").clone()
    }

    /// Waits until every event in `expected` was delivered, or `within`
    /// passed; the events delivered so far.
    pub async fn wait_for(&self, expected: &HashSet<String>, within: Duration) -> HashSet<String> {
        let deadline = Instant::now() + within;
        loop {
            let delivered: HashSet<String> = self
                .received()
                .into_iter()
                .filter_map(|r| r.event_id)
                .collect();
            if expected.is_subset(&delivered) || Instant::now() >= deadline {
                return delivered;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

async fn take(State(got): State<Arc<Mutex<Vec<Received>>>>, headers: HeaderMap, body: Bytes) {
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let delivery = headers
        .get("X-Logbook-Delivery")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    got.lock().expect("received").push(Received {
        delivery,
        event_id: payload["event"]["id"].as_str().map(str::to_string),
    });
}
