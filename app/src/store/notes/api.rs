//! Comments and tags on events: appended, read within a tenant scope.

use crate::model::{Note, NoteKind};
use crate::store::{error::DbError, scope::TenantScope};
use async_trait::async_trait;
use std::collections::HashMap;

/// A note about to be appended; its text is already checked.
#[derive(Clone, Debug)]
pub struct NewNote {
    pub event_id: String,
    pub kind: NoteKind,
    pub text: String,
    pub author_id: Option<i64>,
    pub author: String,
}

/// What the log table shows of an event's notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteSummary {
    pub tags: Vec<String>,
    pub comments: u32,
}

#[async_trait]
pub trait NoteStore {
    /// Appends a note to an event visible in the scope. `None` when the event
    /// is not there for this scope; a tag the event already has is returned
    /// as it was first added, not added twice.
    async fn add_note(&self, scope: &TenantScope, note: &NewNote) -> Result<Option<Note>, DbError>;

    /// An event's notes, oldest first; none when the event is not visible.
    async fn notes(&self, scope: &TenantScope, event_id: &str) -> Result<Vec<Note>, DbError>;

    /// Tags and comment counts of these events, for a page of the log.
    async fn note_summaries(
        &self,
        scope: &TenantScope,
        event_ids: &[String],
    ) -> Result<HashMap<String, NoteSummary>, DbError>;
}
