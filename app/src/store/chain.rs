//! The hash chain: hashing, verifying, signed checkpoints, and retention's
//! cut that keeps the chain checkable after old events go.

pub(crate) mod checkpoint;
pub(crate) mod hash;
pub(crate) mod integrity;
pub(crate) mod sql;
pub(crate) mod verify;

pub use checkpoint::{reason, CheckpointError, CheckpointRecord, NewCheckpoint, PublicKey, Signer};
pub use hash::{canonical_json, event_digest, link_hash, GENESIS_HASH};
pub use integrity::IntegrityStore;
pub use verify::{hashed_fields, ChainBreak, ChainVerifier};
