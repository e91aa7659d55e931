//! Alert delivery: a background worker drains the outbox that `append`
//! fills, sending each notification by email, Slack, Telegram or a signed
//! webhook, with retries and backoff.

mod email;
mod guarded;
mod message;
mod send;
mod worker;

pub use message::{notice, payload, sign, Notice, SIGNATURE_HEADER, TIMESTAMP_HEADER};
pub use send::Senders;
pub use worker::{backoff, spawn, Worker, WorkerHandle};
