//! Integrity as the dashboard shows it: chain checks and signed checkpoints.

use super::Tenant;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub tenant: String,
    /// Events checked and found intact (all of them when `problem` is `None`).
    pub events: i64,
    /// The hash of the last intact event.
    pub head_hash: String,
    /// Events before this were deleted by retention; checking began after it.
    pub cut_seq: i64,
    /// Signed checkpoints the chain was found to pass through.
    pub checkpoints: usize,
    /// Events after the last signed checkpoint: only a checkpoint proves
    /// that nothing was dropped from the end of the chain.
    pub unsigned_tail: i64,
    /// The first broken entry and why, in words.
    pub problem: Option<String>,
}

/// A signed head of a tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointInfo {
    pub seq: i64,
    pub hash: String,
    pub signed_us: i64,
    /// `scheduled`, `on_demand`, `retention` or `export`.
    pub reason: String,
}

/// One tenant's row on the Integrity page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantIntegrity {
    pub tenant: Tenant,
    pub head_seq: i64,
    pub cut_seq: i64,
    pub latest: Option<CheckpointInfo>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityOverview {
    /// Base64 Ed25519 key that signs checkpoints, for `logbook verify --public-key`.
    pub public_key: String,
    pub tenants: Vec<TenantIntegrity>,
    /// Whether this viewer may sign a checkpoint now.
    pub can_sign: bool,
}
