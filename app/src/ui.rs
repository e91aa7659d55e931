//! Components: they take props and render; pages do the loading.

mod alert_editors;
mod alert_lists;
mod analytics_parts;
mod changes;
mod error_notice;
mod event_fields;
mod export_menu;
mod filter_bar;
mod links;
mod live;
mod local_time;
mod log_table;
mod member_fields;
mod notes_panel;
mod pager;
mod query_error;
mod saved_views;

pub use alert_editors::{DestinationEditor, RuleEditor};
pub use alert_lists::{AlertDeliveries, AlertDestinations, AlertRules};
pub use analytics_parts::{ActivitySparkline, Chart, HeadlineCards, RankedTable};
pub use changes::{diff_rows, ChangeKind, ChangeLabels, ChangeRow, ChangesTable};
pub use error_notice::ErrorNotice;
pub use event_fields::EventFields;
pub use export_menu::{export_href, ExportMenu};
pub use filter_bar::FilterBar;
pub use links::{filter_href, history_href, tag_href};
pub use live::{live_href, LiveRows};
pub use local_time::LocalTime;
pub use log_table::LogTable;
pub use member_fields::{MemberDraft, MemberFields};
pub use notes_panel::NotesPanel;
pub use pager::{log_href, page_href, Pager};
pub use query_error::QueryErrorNotice;
pub use saved_views::SavedViews;
