//! A saved view: a name for a filter, kept as the log URL's parameters.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    /// The log URL's query string, without the `?`.
    pub params: String,
}

impl SavedView {
    pub fn href(&self) -> String {
        if self.params.is_empty() {
            "/".into()
        } else {
            format!("/?{}", self.params)
        }
    }
}

pub(super) const MAX_VIEW_NAME_CHARS: usize = 60;

/// A view name as stored: trimmed, 1 to 60 characters.
pub fn check_view_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_VIEW_NAME_CHARS {
        return Err(format!(
            "A view's name is 1 to {MAX_VIEW_NAME_CHARS} characters."
        ));
    }
    Ok(name.to_string())
}
