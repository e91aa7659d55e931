//! Server functions: thin, stable endpoints between the pages and the store.

mod chains;
mod events;

pub use chains::{verify_chain, VerifyChain};
#[cfg(feature = "ssr")]
pub use events::Db;
pub use events::{get_event, list_events, list_tenants};
