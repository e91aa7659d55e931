//! Comments and tags people add to an entry. They are records of their own,
//! appended with author and time; the entry they are about never changes.

use super::event::vocabulary;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

vocabulary!(
    /// What a note is.
    NoteKind, "note kind", {
        Comment => "comment",
        Tag => "tag",
    }
);

/// A comment or tag on an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: i64,
    pub event_id: String,
    pub kind: NoteKind,
    pub text: String,
    /// The author's email as it was when they wrote it.
    pub author: String,
    pub created_at: DateTime<Utc>,
}

pub(super) const MAX_COMMENT_CHARS: usize = 2_000;
pub(super) const MAX_TAG_CHARS: usize = 40;

/// A comment as stored: trimmed, not empty, not too long.
pub fn check_comment(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("A comment needs some text.".into());
    }
    if text.chars().count() > MAX_COMMENT_CHARS {
        return Err(format!(
            "A comment holds at most {MAX_COMMENT_CHARS} characters."
        ));
    }
    Ok(text.to_string())
}

/// A tag as stored: lower case letters, digits, `-`, `_`, `.` and `:`, so
/// that it reads the same in a URL, the query bar and a file name.
pub fn check_tag(tag: &str) -> Result<String, String> {
    let tag = tag.trim().to_lowercase();
    let fits = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS || !tag.chars().all(fits) {
        return Err(format!(
            "A tag is 1 to {MAX_TAG_CHARS} letters, digits, - _ . or : (no spaces)."
        ));
    }
    Ok(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_folded_to_lower_case_and_refuse_spaces() {
        assert_eq!(check_tag(" Player-Request ").unwrap(), "player-request");
        assert!(check_tag("two words").is_err());
        assert!(check_tag("").is_err());
        assert!(check_tag(&"x".repeat(41)).is_err());
    }

    #[test]
    fn comments_are_trimmed_and_must_say_something() {
        assert_eq!(
            check_comment("  at the player's request \n").unwrap(),
            "at the player's request"
        );
        assert!(check_comment("   ").is_err());
        assert!(check_comment(&"x".repeat(2_001)).is_err());
    }
}
