//! A tenant: one partner, store or organisation whose events form one log.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: i64,
    /// Stable, URL-safe name (`acme-keys`).
    pub slug: String,
    pub name: String,
}

/// The reserved tenant (created by migration) holding Logbook's own log.
pub const SELF_TENANT: &str = "logbook";
