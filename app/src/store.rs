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
mod leases;
mod notes;
mod partitions;
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
pub use api::{connect, connect_with, Store};
pub use backend::{Backend, Dialect, PgOptions, PgStore, ReadBudget, SqliteStore, Tx};
pub use chain::{
    canonical_json, event_digest, hashed_fields, link_hash, reason, ChainBreak, ChainVerifier,
    CheckpointError, CheckpointRecord, IntegrityStore, NewCheckpoint, PublicKey, Signer,
    GENESIS_HASH,
};
pub use error::DbError;
pub use events::{
    ApiKeyRecord, AppendOutcome, CommitStats, Committer, ExportPage, ExportRow, NewApiKey,
    NewEvent, Receipt, WriteFault, MAX_PAGE, RECEIPT_LIFETIME_US,
};
pub use leases::{Fence, LeaseStore};
pub use notes::{NewNote, NoteStore, NoteSummary};
pub use partitions::{DroppedPartition, PartitionInterval, PartitionStore};
pub use scope::TenantScope;
pub use tallies::{
    column_value, ActorCount, HourCount, KeyCount, MixCount, Period, Rollup, Tallies, TallySource,
    TallyStore, Totals, AUTH_CATEGORY, DAY_US, HOUR_US, ROLLUPS,
};
pub use views::ViewStore;

/// The statements the store runs, for what must look beneath it: the query
/// plan tests, and the benchmark's raw-insert and raw-select baselines that
/// measure the store against the same SQL without its bookkeeping. Not part
/// of the store's contract; the app and server never use it.
pub mod raw {
    pub use super::backend::sqlite_text_page;
    pub use super::events::{
        append_received_at, explain_events, insert_events, page_splits, resolve_user_agents,
        select_events, stamp, AgentIds, KnownAgents, Splits, Stamped, INSERT_CHUNK,
    };
    pub use super::sql::{Arg, Scalar, Sql};
    pub use super::tallies::rollup_statements;
}
