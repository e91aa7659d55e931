//! Faults injected into the release binary, each run printing its figures:
//! `logbook-reliability <fault>` for the long runs, `tests/` for the short
//! ones CI runs.

pub mod api_spec;
pub mod crash;
pub mod db_restart;
pub mod disk_full;
pub mod ingest;
pub mod latency;
pub mod load;
pub mod postgres;
pub mod receiver;
pub mod server;
pub mod stores;
