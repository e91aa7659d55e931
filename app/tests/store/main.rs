//! Store tests, each run against a real SQLite file and a real PostgreSQL database.

mod append;
mod append_only;
mod paging;
mod scope;
mod support;
mod verify;
