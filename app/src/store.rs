//! Persistence: one `Store` trait, a SQLite and a PostgreSQL implementation.

mod account_rows;
mod accounts;
mod accounts_sql;
mod backend;
mod chain;
mod error;
mod export_row;
mod postgres;
mod query;
mod records;
mod row;
mod scope;
mod sqlite;
mod traits;
mod verify;

pub use accounts::{
    AccountStore, ActiveSession, FailureCounts, Member, MemberChange, NewAccount, NewSession,
    SessionStage, SignInRecord,
};
pub use chain::{canonical_json, event_hash, GENESIS_HASH};
pub use error::DbError;
pub use export_row::ExportRow;
pub use postgres::PgStore;
pub use query::{insert_events, stamp, Stamped, INSERT_CHUNK, MAX_PAGE};
pub use records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt};
pub use scope::TenantScope;
pub use sqlite::SqliteStore;
pub use traits::{connect, Store};
pub use verify::{ChainBreak, ChainVerifier};
