//! Trust jobs over the store: signing checkpoints, retention, and proofs
//! that let an export be checked offline.

mod proof;
mod retention;
mod sign;

pub use proof::{verify_file, FileReport, ProofBuilder, ProofError};
pub use retention::{record_cuts, run_retention, Expiring, Purge, RetentionPolicy};
pub use sign::{sign_head, sign_moved_heads, Keys};
