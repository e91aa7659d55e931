//! The HTTP surface: dashboard pages, server functions, ingest, health, API docs.

mod health;
mod openapi;
mod routes;
mod serve;
mod state;

pub use routes::router;
pub use serve::{bind, Bound};
pub use state::AppState;
