//! HTTP tests: the real router on port 0 over real databases.

mod ingest;
mod pages;
mod support;
