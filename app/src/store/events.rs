//! Events: their columns, the filter's SQL, pages, appends and exports.

pub(crate) mod actors;
pub(crate) mod append;
pub(crate) mod branches;
pub(crate) mod columns;
pub(crate) mod committer;
pub(crate) mod export_columns;
pub(crate) mod export_row;
pub(crate) mod filter;
pub(crate) mod group;
pub(crate) mod query;
pub(crate) mod read;
pub(crate) mod received_at;
pub(crate) mod records;
pub(crate) mod text_search;
pub(crate) mod user_agents;

pub use actors::page_splits;
pub use append::{insert_events, stamp, Stamped, INSERT_CHUNK};
pub use branches::Splits;
pub(crate) use columns::EventRow;
pub use committer::{CommitStats, Committer, WriteFault};
pub use export_row::{ExportPage, ExportRow};
pub use query::{explain_events, select_events, MAX_PAGE};
pub use received_at::append_received_at;
pub use records::{ApiKeyRecord, AppendOutcome, NewApiKey, NewEvent, Receipt, RECEIPT_LIFETIME_US};
pub use user_agents::{resolve as resolve_user_agents, AgentIds, KnownAgents};
