//! Routed pages: each loads its data and hands it to components.

mod event_details;
mod integrity;
mod log;

pub use event_details::EventDetailsPage;
pub use integrity::IntegrityPage;
pub use log::LogPage;
