//! Persistence: one `Store` trait, a SQLite and a PostgreSQL implementation.

mod backend;
mod chain;
mod error;
mod postgres;
mod query;
mod records;
mod row;
mod scope;
mod sqlite;
mod traits;
mod verify;

pub use chain::{canonical_json, event_hash, GENESIS_HASH};
pub use error::DbError;
pub use postgres::PgStore;
pub use query::{insert_events, stamp, Stamped, INSERT_CHUNK, MAX_PAGE};
pub use records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt};
pub use scope::TenantScope;
pub use sqlite::SqliteStore;
pub use traits::{connect, Store};
pub use verify::{ChainBreak, ChainVerifier};
