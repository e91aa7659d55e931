//! The HTTP surface: dashboard pages, server functions, ingest, health, API docs.

mod access;
mod api_error;
mod embed;
mod export;
mod health;
mod live;
mod openapi;
mod params;
mod portal;
mod protect;
mod read;
mod routes;
mod serve;
mod session;
mod state;

pub use api_error::ApiError;
pub use routes::router;
pub use serve::{bind, Bound};
pub use state::{AppState, Network};
