//! Persistence: the `Store` trait the app calls, over SQLite or PostgreSQL.
//!
//! `backend` states what each database provides; every store method is a
//! plain function over it in the folder of its capability. A reader opens
//! `api.rs` for what the store does and the folder for how.

mod accounts;
mod alerts;
mod api;
mod backend;
mod chain;
mod error;
mod events;
mod notes;
mod scope;
mod sql;
mod tallies;
mod tenants;
mod views;

pub use accounts::{
    AccountStore, ActiveSession, FailureCounts, Member, MemberChange, NewAccount, NewSession,
    SessionStage, SignInRecord,
};
pub use alerts::{AlertStore, DestinationInput, DueDelivery, Health, RuleInput, Silence};
pub use api::{connect, Store};
pub use backend::{sqlite_text_page, Backend, Dialect, PgStore, ReadBudget, SqliteStore, Tx};
pub use chain::{
    canonical_json, event_digest, hashed_fields, link_hash, reason, ChainBreak, ChainVerifier,
    CheckpointError, CheckpointRecord, IntegrityStore, NewCheckpoint, PublicKey, Signer,
    GENESIS_HASH,
};
pub use error::DbError;
pub use events::{
    explain_events, insert_events, select_events, stamp, ApiKeyRecord, AppendOutcome, ExportPage,
    ExportRow, NewApiKey, NewEvent, Receipt, Stamped, INSERT_CHUNK, MAX_PAGE, RECEIPT_LIFETIME_US,
};
pub use notes::{NewNote, NoteStore, NoteSummary};
pub use scope::TenantScope;
pub use sql::{Arg, Sql};
pub use tallies::{
    column_value, rollup_statements, ActorCount, HourCount, KeyCount, MixCount, Period, Rollup,
    Tallies, TallySource, TallyStore, Totals, AUTH_CATEGORY, DAY_US, HOUR_US, ROLLUPS,
};
pub use views::ViewStore;
