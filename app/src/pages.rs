//! Routed pages: each loads its data and hands it to components.

mod account;
mod alerts;
mod analytics;
mod api_keys;
mod event_details;
mod integrity;
mod log;
mod no_access;
mod resource_history;
mod retention;
mod sign_in;
mod team;

pub use account::AccountPage;
pub use alerts::AlertsPage;
pub use analytics::AnalyticsPage;
pub use api_keys::ApiKeysPage;
pub use event_details::EventDetailsPage;
pub use integrity::IntegrityPage;
pub use log::LogPage;
pub use no_access::NoAccessPage;
pub use resource_history::ResourceHistoryPage;
pub use retention::RetentionPage;
pub use sign_in::SignInPage;
pub use team::TeamPage;
