//! The Logbook server: configuration, HTTP routes, ingest API, demo data and
//! operator commands. `main.rs` only parses the command line.

pub mod accounts;
pub mod alerts;
pub mod cli;
pub mod config;
pub mod demo;
pub mod http;
pub mod ingest;
pub mod jobs;
pub mod signing;
pub use app::auth::keys;
