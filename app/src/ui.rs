//! Components: they take props and render; pages do the loading.

mod changes;
mod error_notice;
mod event_fields;
mod filter_bar;
mod local_time;
mod log_table;
mod pager;

pub use changes::{diff_rows, ChangeKind, ChangeRow, ChangesTable};
pub use error_notice::ErrorNotice;
pub use event_fields::EventFields;
pub use filter_bar::FilterBar;
pub use local_time::LocalTime;
pub use log_table::LogTable;
pub use pager::{log_href, Pager};
