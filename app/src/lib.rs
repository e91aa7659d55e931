//! Logbook's application: shared types, pages and server functions.
//! Server-only code (the store) sits behind the `ssr` feature.

#[cfg(feature = "ssr")]
pub mod analytics;
// `#[server]` and `#[component]` emit `pub` helpers (handler types, props)
// beside each item that no `pub use` names; the lint cannot tell them apart.
#[allow(unreachable_pub)]
pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
#[allow(unreachable_pub)] // as `api`: the components' generated props
pub mod embed;
pub mod error;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod integrity;
pub mod model;
#[allow(unreachable_pub)] // as `api`: the components' generated props
pub mod pages;
#[allow(unreachable_pub)] // `App`'s generated props
mod root;
#[cfg(feature = "ssr")]
pub mod store;
#[allow(unreachable_pub)] // as `api`: the components' generated props
pub mod ui;

pub use root::{hard_navigate, shell, App, ViewerResource};
