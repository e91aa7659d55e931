//! The embedded viewer: a tenant's log inside a platform's own product,
//! opened with a viewer token (see `auth::ViewerGrant`).

mod details;
mod links;
mod look;
mod page;
mod table;
mod texts;

pub use details::EmbedEventPage;
pub use links::Place;
pub use look::Look;
pub use page::{EmbedPage, Frame, Problem};
pub use table::ViewerTable;
pub use texts::{texts, Texts, DE, EN};
