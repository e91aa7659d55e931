//! API keys: `lbk_<prefix>_<secret>`. Only the prefix and a SHA-256 are stored.

use rand::{distributions::Alphanumeric, Rng};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A freshly generated key; `plaintext` is shown once and never stored.
pub struct GeneratedKey {
    pub plaintext: String,
    pub prefix: String,
    pub secret_hash: String,
}

fn random(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// SHA-256 rather than argon2: the secret is 190 random bits, so a slow hash
/// buys nothing, and ingest checks a key on every request.
pub fn hash_secret(plaintext: &str) -> String {
    hex::encode(Sha256::digest(plaintext.as_bytes()))
}

pub fn generate() -> GeneratedKey {
    let prefix = random(8);
    let plaintext = format!("lbk_{prefix}_{}", random(32));
    GeneratedKey {
        secret_hash: hash_secret(&plaintext),
        plaintext,
        prefix,
    }
}

/// The prefix of a well-formed key, used to look the key up.
pub fn prefix_of(plaintext: &str) -> Option<&str> {
    let rest = plaintext.strip_prefix("lbk_")?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 8 && secret.len() == 32).then_some(prefix)
}

/// Compares in constant time, so response timing reveals nothing of the hash.
pub fn matches(plaintext: &str, stored_hash: &str) -> bool {
    hash_secret(plaintext)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_matches_its_hash_and_exposes_its_prefix() {
        let key = generate();
        assert_eq!(prefix_of(&key.plaintext), Some(key.prefix.as_str()));
        assert!(matches(&key.plaintext, &key.secret_hash));
        assert!(!key.secret_hash.contains(&key.plaintext));
    }

    #[test]
    fn a_key_with_one_character_changed_does_not_match() {
        let key = generate();
        let mut other = key.plaintext.clone();
        let last = other.pop().unwrap();
        other.push(if last == 'a' { 'b' } else { 'a' });
        assert!(!matches(&other, &key.secret_hash));
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        assert_eq!(prefix_of("Bearer"), None);
        assert_eq!(prefix_of("lbk_short_x"), None);
        assert_eq!(
            prefix_of("sk_12345678_abcdefghijklmnopqrstuvwxyz123456"),
            None
        );
    }
}
