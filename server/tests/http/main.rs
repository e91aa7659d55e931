//! HTTP tests: the real router on port 0 over real databases.

mod access;
mod alerts;
mod analytics;
mod durability;
mod export;
mod history;
mod ingest;
mod leak_corpus;
mod leaks;
mod live;
mod notes;
mod pages;
mod receivers;
mod search;
mod settings;
mod sign_in;
mod support;
mod views;
