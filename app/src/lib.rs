//! Logbook's application: shared types, pages and server functions.
//! Server-only code (the store) sits behind the `ssr` feature.

#[cfg(feature = "ssr")]
pub mod analytics;
pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod error;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod integrity;
pub mod model;
pub mod pages;
mod root;
#[cfg(feature = "ssr")]
pub mod store;
pub mod ui;

pub use root::{hard_navigate, shell, App, ViewerResource};
