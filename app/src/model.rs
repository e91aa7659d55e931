//! Types shared by the server and the browser: events, filters, pages and accounts.

mod account;
mod chain;
mod event;
mod export;
mod filter;
mod page;
mod tenant;

pub use account::{ApiKeyInfo, MemberInfo, Permission, Permissions, Role, Viewer};
pub use chain::{ChainReport, CheckpointInfo, IntegrityOverview, TenantIntegrity};
pub use event::{Actor, ActorType, Event, Outcome, ParseEnumError, Resource, Severity};
pub use export::{export_file_name, ExportFormat, ExportState, ExportStatus};
pub use filter::EventFilter;
pub use filter::{ActionMatch, FilterError};
pub use page::{Cursor, EventPage, PageRequest, PAGE_SIZE};
pub use tenant::{
    Retention, SettingsForm, SettingsOverview, Tenant, TenantSettings, MAX_RETENTION_DAYS,
    SELF_TENANT,
};
