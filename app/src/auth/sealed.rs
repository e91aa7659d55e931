//! Secrets Logbook must read back (alert destinations' tokens and Slack
//! URLs, one-time-code seeds) are stored sealed: XChaCha20-Poly1305 under a
//! key kept beside the signing key, never in the database. A copy of the
//! database alone yields none of them.

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng},
    XChaCha20Poly1305, XNonce,
};
use std::sync::Arc;

/// Marks a sealed value; anything else is a value stored before sealing
/// existed, read as it is.
const PREFIX: &str = "sealed1:";
const NONCE_LEN: usize = 24;

/// Seals and opens stored secrets with one key.
#[derive(Clone)]
pub struct Sealer(Arc<XChaCha20Poly1305>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(…)")
    }
}

/// A sealed value that does not open: the wrong key, or altered bytes.
#[derive(Debug, thiserror::Error)]
#[error("a stored secret does not open with this server's secrets key")]
pub struct SealError;

impl Sealer {
    /// A new random key and its base64, to keep.
    pub fn generate() -> (Sealer, String) {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        (
            Sealer(Arc::new(XChaCha20Poly1305::new(&key))),
            STANDARD.encode(key),
        )
    }

    /// The key from its base64 (32 bytes).
    pub fn from_base64(text: &str) -> Result<Sealer, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| format!("not base64: {e}"))?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| "a secrets key is 32 bytes".to_string())?;
        Ok(Sealer(Arc::new(cipher)))
    }

    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(&nonce, plain.as_bytes())
            .expect("XChaCha20-Poly1305 encrypts any length we store");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{PREFIX}{}", STANDARD.encode(bytes))
    }

    /// The plain value; one stored before sealing existed passes through.
    pub fn open(&self, stored: &str) -> Result<String, SealError> {
        let Some(encoded) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let bytes = STANDARD.decode(encoded).map_err(|_| SealError)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .0
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| SealError)?;
        String::from_utf8(plain).map_err(|_| SealError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_never_shows_in_the_stored_text() {
        let (sealer, key) = Sealer::generate();
        let stored = sealer.seal("xoxb-123-secret-token");
        assert!(stored.starts_with(PREFIX));
        assert!(!stored.contains("secret-token"));
        assert_ne!(
            stored,
            sealer.seal("xoxb-123-secret-token"),
            "a fresh nonce each time"
        );
        assert_eq!(sealer.open(&stored).unwrap(), "xoxb-123-secret-token");
        let same = Sealer::from_base64(&key).unwrap();
        assert_eq!(same.open(&stored).unwrap(), "xoxb-123-secret-token");
        let (other, _) = Sealer::generate();
        assert!(other.open(&stored).is_err());
        assert_eq!(sealer.open("legacy-plain").unwrap(), "legacy-plain");
    }
}
