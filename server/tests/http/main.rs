//! HTTP tests: the real router on port 0 over real databases.

mod durability;
mod ingest;
mod pages;
mod support;
