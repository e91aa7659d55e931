//! The outcome of checking one tenant's hash chain, as the dashboard shows it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub tenant: String,
    /// Events checked and found intact (all of them when `problem` is `None`).
    pub events: i64,
    /// The hash of the last intact event.
    pub head_hash: String,
    /// The first broken entry and why, in words.
    pub problem: Option<String>,
}
