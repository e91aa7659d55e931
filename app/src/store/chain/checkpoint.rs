//! Signed checkpoints: a tenant's chain head `(seq, hash)` signed with the
//! server's Ed25519 key. Anyone holding the public key can check, with no
//! server, that a chain (or an export of it) ends where Logbook said it did.

use base64::{engine::general_purpose::STANDARD as B64, Engine as _};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// Why a checkpoint was signed.
pub mod reason {
    /// The periodic job.
    pub const SCHEDULED: &str = "scheduled";
    /// Someone pressed "Sign now" or ran `logbook checkpoint`.
    pub const ON_DEMAND: &str = "on_demand";
    /// The retention job's cut: events up to here are deleted, the chain resumes after it.
    pub const RETENTION: &str = "retention";
    /// Attached to an export with a proof.
    pub const EXPORT: &str = "export";
}

/// A checkpoint before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCheckpoint {
    pub tenant_id: i64,
    pub tenant: String,
    pub seq: i64,
    pub hash: String,
    pub signed_us: i64,
    pub reason: String,
    /// Base64 of the 32-byte Ed25519 public key that signed it.
    pub public_key: String,
    /// Base64 of the 64-byte signature over [`message`].
    pub signature: String,
}

/// A stored checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRecord {
    pub id: i64,
    #[serde(flatten)]
    pub checkpoint: NewCheckpoint,
}

/// The exact bytes that are signed. Plain text, one field per line, so the
/// format can be checked by hand or by other tools.
pub(crate) fn message(
    tenant_id: i64,
    tenant: &str,
    seq: i64,
    hash: &str,
    signed_us: i64,
) -> String {
    format!(
        "logbook-checkpoint-v1\ntenant_id={tenant_id}\ntenant={tenant}\nseq={seq}\nhash={hash}\nsigned_us={signed_us}\n"
    )
}

impl NewCheckpoint {
    pub fn message(&self) -> String {
        message(
            self.tenant_id,
            &self.tenant,
            self.seq,
            &self.hash,
            self.signed_us,
        )
    }
}

/// A public key that checkpoints must be signed with to be believed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("the public key is not 32 bytes of base64: {0}")]
    BadKey(String),
    #[error("checkpoint at #{seq} was signed by another key ({found})")]
    OtherKey { seq: i64, found: String },
    #[error("checkpoint at #{seq} has a signature that does not match its contents")]
    BadSignature { seq: i64 },
}

impl PublicKey {
    pub fn new(key: VerifyingKey) -> Self {
        PublicKey(key)
    }

    /// Reads the base64 form shown in the dashboard and printed by the server.
    pub fn from_base64(text: &str) -> Result<PublicKey, CheckpointError> {
        let bad = |why: String| CheckpointError::BadKey(why);
        let bytes = B64.decode(text.trim()).map_err(|e| bad(e.to_string()))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| bad(format!("{} bytes", b.len())))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| bad(e.to_string()))
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.0.as_bytes())
    }

    /// Checks that this key signed exactly these checkpoint contents.
    pub fn verify(&self, checkpoint: &NewCheckpoint) -> Result<(), CheckpointError> {
        if checkpoint.public_key != self.to_base64() {
            return Err(CheckpointError::OtherKey {
                seq: checkpoint.seq,
                found: checkpoint.public_key.clone(),
            });
        }
        let bad = || CheckpointError::BadSignature {
            seq: checkpoint.seq,
        };
        let bytes = B64.decode(&checkpoint.signature).map_err(|_| bad())?;
        let signature = Signature::from_slice(&bytes).map_err(|_| bad())?;
        self.0
            .verify(checkpoint.message().as_bytes(), &signature)
            .map_err(|_| bad())
    }
}

/// Signs checkpoints with the server's private key.
pub struct Signer {
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private half.
        write!(f, "Signer({})", self.public_key().to_base64())
    }
}

impl Signer {
    /// From the 32-byte seed (base64), as kept in configuration or the key file.
    pub fn from_base64(seed: &str) -> Result<Signer, CheckpointError> {
        let bad = |why: String| CheckpointError::BadKey(why);
        let bytes = B64.decode(seed.trim()).map_err(|e| bad(e.to_string()))?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| bad(format!("{} bytes", b.len())))?;
        Ok(Signer {
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        })
    }

    /// A fresh random key; returns it with its seed in base64 for storing.
    pub fn generate() -> (Signer, String) {
        let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let seed = B64.encode(key.to_bytes());
        (Signer { key }, seed)
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    /// Signs a tenant's head as it stands at `signed_us`.
    pub fn sign(
        &self,
        tenant_id: i64,
        tenant: &str,
        (seq, hash): (i64, String),
        signed_us: i64,
        why: &str,
    ) -> NewCheckpoint {
        use ed25519_dalek::Signer as _;
        let text = message(tenant_id, tenant, seq, &hash, signed_us);
        let signature = self.key.sign(text.as_bytes());
        NewCheckpoint {
            tenant_id,
            tenant: tenant.to_string(),
            seq,
            hash,
            signed_us,
            reason: why.to_string(),
            public_key: self.public_key().to_base64(),
            signature: B64.encode(signature.to_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed() -> (Signer, NewCheckpoint) {
        let (signer, _) = Signer::generate();
        let cp = signer.sign(3, "acme", (42, "ab".repeat(32)), 1_000, reason::ON_DEMAND);
        (signer, cp)
    }

    #[test]
    fn a_checkpoint_verifies_with_the_signers_public_key() {
        let (signer, cp) = signed();
        let key = PublicKey::from_base64(&signer.public_key().to_base64()).unwrap();
        assert_eq!(key.verify(&cp), Ok(()));
    }

    #[test]
    fn changing_any_signed_field_breaks_the_signature() {
        let (signer, cp) = signed();
        let key = signer.public_key();
        for tamper in [
            |c: &mut NewCheckpoint| c.seq += 1,
            |c: &mut NewCheckpoint| c.hash = "cd".repeat(32),
            |c: &mut NewCheckpoint| c.tenant_id = 4,
            |c: &mut NewCheckpoint| c.signed_us += 1,
        ] {
            let mut changed = cp.clone();
            tamper(&mut changed);
            assert_eq!(
                key.verify(&changed),
                Err(CheckpointError::BadSignature { seq: changed.seq })
            );
        }
    }

    #[test]
    fn a_checkpoint_from_another_key_is_not_believed() {
        let (_, cp) = signed();
        let (other, _) = Signer::generate();
        assert!(matches!(
            other.public_key().verify(&cp),
            Err(CheckpointError::OtherKey { .. })
        ));
    }

    #[test]
    fn the_seed_round_trips_to_the_same_key() {
        let (signer, seed) = Signer::generate();
        let again = Signer::from_base64(&seed).unwrap();
        assert_eq!(signer.public_key(), again.public_key());
        assert!(Signer::from_base64("c2hvcnQ=").is_err());
    }
}
