//! `POST /api/v1/events`: authenticated, validated, idempotent, durable.

mod error;
mod handler;
mod redact;
mod redact_text;
mod response;
mod validate;

pub use error::IngestError;
pub(crate) use handler::authenticate as authenticate_key;
pub use handler::ingest_events;
pub use redact::{looks_secret, Redactor, DEFAULT_SECRET_WORDS, REDACTED};
pub use response::{IngestResponse, ItemResult};
pub use validate::{validate, IncomingEvent, Rules};
