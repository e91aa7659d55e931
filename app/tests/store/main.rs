//! Store tests, each run against a real SQLite file and a real PostgreSQL database.

mod accounts;
mod alerts;
mod append;
mod append_only;
mod budget;
mod export;
mod filters;
mod group_commit;
mod isolation;
mod leases;
mod notes;
mod outbox_claims;
mod paging;
mod partitions;
mod plans;
mod plans_postgres;
mod receipts;
mod retention;
mod rollups;
mod scope;
mod storage_full;
mod support;
mod upgrade;
mod user_agents;
mod verify;
mod viewer_scope;
