//! Comments and tags on entries: appended as records of their own, and
//! themselves recorded in Logbook's own log.

use crate::{error::AppError, model::Note};
use leptos::{prelude::*, server_fn::codec::Json};

/// An event's comments and tags, oldest first.
#[server(prefix = "/api", endpoint = "notes/list", input = Json)]
pub async fn list_notes(event_id: String) -> Result<Vec<Note>, AppError> {
    let access = super::access::require(crate::model::Permission::ViewLogs, "read the log").await?;
    Ok(access.store.notes(&access.scope(), &event_id).await?)
}

/// Adds a comment ("at the request of the player") to an event.
#[server(prefix = "/api", endpoint = "notes/comment", input = Json)]
pub async fn add_comment(event_id: String, text: String) -> Result<Note, AppError> {
    let text = crate::model::check_comment(&text).map_err(bad)?;
    add(event_id, crate::model::NoteKind::Comment, text).await
}

/// Adds a tag to an event; a tag it already has is kept as it was.
#[server(prefix = "/api", endpoint = "notes/tag", input = Json)]
pub async fn add_tag(event_id: String, tag: String) -> Result<Note, AppError> {
    let tag = crate::model::check_tag(&tag).map_err(bad)?;
    add(event_id, crate::model::NoteKind::Tag, tag).await
}

#[cfg(feature = "ssr")]
fn bad(why: String) -> AppError {
    super::access::fail(AppError::BadRequest(why))
}

#[cfg(feature = "ssr")]
async fn add(
    event_id: String,
    kind: crate::model::NoteKind,
    text: String,
) -> Result<Note, AppError> {
    use crate::{auth::Entry, model::Permission, store::NewNote};
    let access = super::access::require(Permission::Annotate, "comment on or tag entries").await?;
    let note = NewNote {
        event_id,
        kind,
        text,
        author_id: Some(access.member.account_id()),
        author: access.member.email().to_string(),
    };
    let stored = access
        .store
        .add_note(&access.scope(), &note)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let (action, verb) = match kind {
        crate::model::NoteKind::Comment => ("event.commented", "commented"),
        crate::model::NoteKind::Tag => ("event.tagged", "tagged"),
    };
    let entry = Entry::new(
        action,
        verb,
        format!(
            "{} event {}: {}",
            capitalise(verb),
            stored.event_id,
            stored.text
        ),
    )
    .resource("event", &stored.event_id, None)
    .metadata(serde_json::json!({ "note": stored.id, kind.as_str(): stored.text }));
    access.log(entry).await?;
    Ok(stored)
}

#[cfg(feature = "ssr")]
fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
