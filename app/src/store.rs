//! Persistence: one `Store` trait, a SQLite and a PostgreSQL implementation.

mod account_rows;
mod accounts;
mod accounts_sql;
mod alerts;
mod alerts_match;
mod alerts_rows;
mod alerts_sql;
mod backend;
mod branches;
mod budget;
mod chain;
mod checkpoint;
mod error;
mod export_columns;
mod export_row;
mod failing_ips;
mod integrity;
mod integrity_sql;
mod notes;
mod notes_sql;
mod postgres;
mod query;
mod records;
mod rollups;
mod row;
mod scope;
mod sqlite;
mod sqlite_export;
mod tallies;
mod tallies_sql;
mod text_search;
mod text_walk;
mod traits;
mod verify;
mod views;

pub use accounts::{
    AccountStore, ActiveSession, FailureCounts, Member, MemberChange, NewAccount, NewSession,
    SessionStage, SignInRecord,
};
pub use alerts::{
    AlertStore, DestinationInput, DueDelivery, Health, RuleInput, Silence, FAILING_AFTER,
};
pub use budget::ReadBudget;
pub use chain::{canonical_json, event_digest, event_hash, link_hash, GENESIS_HASH};
pub use checkpoint::{reason, CheckpointError, CheckpointRecord, NewCheckpoint, PublicKey, Signer};
pub use error::DbError;
pub use export_row::{ExportPage, ExportRow};
pub use integrity::IntegrityStore;
pub use notes::{NewNote, NoteStore, NoteSummary};
pub use postgres::PgStore;
pub use query::{
    explain_events, insert_events, select_events, stamp, Stamped, INSERT_CHUNK, MAX_PAGE,
};
pub use records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt, RECEIPT_LIFETIME_US};
pub use rollups::{column_value, rollup_statements, Period, Rollup, DAY_US, HOUR_US, ROLLUPS};
pub use scope::TenantScope;
pub use sqlite::SqliteStore;
pub use tallies::{
    ActorCount, HourCount, KeyCount, MixCount, Tallies, TallySource, TallyStore, Totals,
    AUTH_CATEGORY,
};
pub use text_walk::text_page as sqlite_text_page;
pub use traits::{connect, Store};
pub use verify::{hashed_fields, ChainBreak, ChainVerifier};
pub use views::ViewStore;
