//! HTTP tests: the real router on port 0 over real databases.

mod access;
mod alerts;
mod analytics;
mod bounds;
mod durability;
mod export;
mod hardening;
mod history;
mod ingest;
mod instances;
mod leak_corpus;
mod leaks;
mod live;
mod notes;
mod outbound;
mod pages;
mod processes;
mod read_api;
mod receivers;
mod replica;
mod search;
mod second_factor;
mod settings;
pub mod sign_in;
mod support;
mod viewer_tokens;
mod views;
