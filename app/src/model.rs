//! Types shared by the server and the browser: events, filters, pages and accounts.

mod account;
mod alert;
mod analytics;
mod chain;
mod embed;
mod event;
mod export;
mod filter;
mod next_path;
mod note;
mod page;
mod query_bar;
mod search_text;
mod tenant;
mod terms;
pub mod time_window;
mod view;

pub use account::{
    ApiKeyInfo, KeyScope, KeyScopes, MemberInfo, Permission, Permissions, Role, Viewer,
};
pub use alert::{
    duration_text, rule_conditions, AlertDelivery, AlertDestination, AlertRule, DeliveryStatus,
    DestinationKind, GroupBy, Threshold, MAX_ALERT_WINDOW_SECS,
};
pub use analytics::{
    AnalyticsRequest, AnalyticsView, Bucket, ChartView, DataRow, DataTable, Headline, RankedRow,
    Sparkline, StackBy, Trend,
};
pub use chain::{ChainReport, CheckpointInfo, IntegrityOverview, TenantIntegrity};
pub use embed::{check_origin, check_origins, EmbedInfo, ViewerProblem, MAX_EMBED_ORIGINS};
pub use event::{Actor, ActorType, Event, Outcome, ParseEnumError, Resource, Severity};
pub use export::{export_file_name, ExportFormat, ExportState, ExportStatus};
pub use filter::{EventFilter, FilterError, Pin, QuickRange};
pub use next_path::local_path;
pub use note::{check_comment, check_tag, Note, NoteKind};
pub use page::{Cursor, EventPage, PageRequest, PAGE_SIZE};
pub use query_bar::QueryError;
pub use search_text::{search_phrases, words};
pub use tenant::{
    Retention, SettingsForm, SettingsOverview, Tenant, TenantSettings, MAX_RETENTION_DAYS,
    SELF_TENANT,
};
pub use terms::{ActionMatch, Field, Terms};
pub use view::{check_view_name, SavedView};
