//! Secrets Logbook must read back (alert destinations' tokens and Slack
//! URLs, one-time-code seeds) are stored sealed: XChaCha20-Poly1305 under a
//! key kept beside the signing key, never in the database. A copy of the
//! database alone yields none of them.

use base64::{
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
    Engine,
};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
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

    /// Seals `plain` for a URL, bound to `purpose`: what one purpose sealed
    /// (a viewer token) never opens as another's (a stored secret), and
    /// neither opens as the other.
    pub fn seal_for_url(&self, purpose: &str, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plain.as_bytes(),
            aad: purpose.as_bytes(),
        };
        let sealed = self
            .0
            .encrypt(&nonce, payload)
            .expect("XChaCha20-Poly1305 encrypts any length we seal");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// What `seal_for_url` sealed for `purpose`; anything else, altered or
    /// not sealed at all, does not open.
    pub fn open_from_url(&self, purpose: &str, sealed: &str) -> Result<String, SealError> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| SealError)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let payload = Payload {
            msg: sealed,
            aad: purpose.as_bytes(),
        };
        let plain = self
            .0
            .decrypt(XNonce::from_slice(nonce), payload)
            .map_err(|_| SealError)?;
        String::from_utf8(plain).map_err(|_| SealError)
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
    fn a_value_sealed_for_a_url_opens_only_for_its_purpose_and_only_unaltered() {
        let (sealer, _) = Sealer::generate();
        let token = sealer.seal_for_url("viewer", r#"{"tenant":1}"#);
        assert!(token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(
            sealer.open_from_url("viewer", &token).unwrap(),
            r#"{"tenant":1}"#
        );
        assert!(sealer.open_from_url("other", &token).is_err());
        let mut altered = token.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(sealer
            .open_from_url("viewer", std::str::from_utf8(&altered).unwrap())
            .is_err());
        assert!(sealer.open_from_url("viewer", r#"{"tenant":1}"#).is_err());
        assert!(
            sealer.open(&token).is_ok_and(|plain| plain == token),
            "not a stored secret"
        );
        let (other, _) = Sealer::generate();
        assert!(other.open_from_url("viewer", &token).is_err());
    }

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
