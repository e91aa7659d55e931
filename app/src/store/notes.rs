//! Notes: comments and tags on events.

pub(crate) mod api;
pub(crate) mod sql;

pub use api::{NewNote, NoteStore, NoteSummary};
