//! The HTTP surface: dashboard pages, server functions, ingest, health, API docs.

mod export;
mod health;
mod live;
mod openapi;
mod protect;
mod routes;
mod serve;
mod session;
mod state;

pub use routes::router;
pub use serve::{bind, Bound};
pub use state::{AppState, Network};
