//! Routed pages: each loads its data and hands it to components.

mod event_details;
mod log;

pub use event_details::EventDetailsPage;
pub use log::LogPage;
