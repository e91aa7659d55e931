//! Secrets never reach the database: values under secret-looking keys, and
//! values that look like secrets whatever their key, become `"[redacted]"`.
//! The key itself stays, so "password changed" is still visible as a change.

use serde_json::Value;

pub const REDACTED: &str = "[redacted]";

/// Key words that mark a value as secret. A key matches when one of its
/// words, or two adjacent words joined, equals one of these
/// (`new_password`, `x-api-key`, `accessToken`, `card_number`).
pub const DEFAULT_SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "authorization",
    "cookie",
    "session",
    "otp",
    "totp",
    "card",
    "pan",
    "cvv",
    "cvc",
    "pin",
];

/// Which keys count as secret: the defaults plus any configured words.
#[derive(Clone, Debug)]
pub struct Redactor {
    words: Vec<String>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new(&[])
    }
}

impl Redactor {
    /// `extra` words are matched like the defaults (case and `-`/`_` ignored).
    pub fn new(extra: &[String]) -> Self {
        let mut words: Vec<String> = DEFAULT_SECRET_WORDS.iter().map(|w| w.to_string()).collect();
        words.extend(extra.iter().map(|w| normalise(w)));
        Redactor { words }
    }

    /// These rules plus a tenant's own words; the deployment's words always apply.
    pub fn extended(&self, extra: &[String]) -> Redactor {
        let mut words = self.words.clone();
        words.extend(extra.iter().map(|w| normalise(w)).filter(|w| !w.is_empty()));
        Redactor { words }
    }

    /// Redacts a free-text field in place (a description, a resource's
    /// name, a user agent): only the embedded secrets are replaced.
    pub fn redact_field(&self, text: &mut Option<String>) {
        if let Some(redacted) = text.as_deref().and_then(super::redact_text::redact_text) {
            *text = Some(redacted);
        }
    }

    /// Redacts in place, at any depth. Returns how many values were replaced.
    pub fn redact(&self, value: &mut Value) -> usize {
        match value {
            Value::Object(map) => map
                .iter_mut()
                .map(|(key, v)| {
                    if self.is_secret_key(key) && !v.is_null() {
                        *v = Value::String(REDACTED.into());
                        1
                    } else {
                        self.redact(v)
                    }
                })
                .sum(),
            Value::Array(items) => items.iter_mut().map(|v| self.redact(v)).sum(),
            Value::String(s) if looks_secret(s) => {
                *value = Value::String(REDACTED.into());
                1
            }
            Value::String(s) => match super::redact_text::redact_text(s) {
                Some(redacted) => {
                    *s = redacted;
                    1
                }
                None => 0,
            },
            _ => 0,
        }
    }

    pub fn is_secret_key(&self, key: &str) -> bool {
        // `cvv2`, `password_2`, `token1`: a numbered secret is still a secret.
        let words: Vec<String> = split_words(key)
            .into_iter()
            .map(|w| w.trim_end_matches(|c: char| c.is_ascii_digit()).to_string())
            .filter(|w| !w.is_empty())
            .collect();
        let joined_pairs = words
            .windows(2)
            .map(|pair| format!("{}{}", pair[0], pair[1]));
        words
            .iter()
            .cloned()
            .chain(joined_pairs)
            .any(|w| self.words.contains(&w))
    }
}

fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `x-API_keyValue` → `["x", "api", "key", "value"]`; `TOTPSeed` → `["totp", "seed"]`.
fn split_words(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = i.checked_sub(1).map(|p| chars[p]);
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        // A capital starts a word after a small letter or digit (`apiKey`), or
        // when it ends a run of capitals and a small letter follows (`TOTPSeed`).
        let starts_word = c.is_ascii_uppercase()
            && previous.is_some_and(|p| {
                p.is_ascii_lowercase() || p.is_ascii_digit() || p.is_ascii_uppercase() && next_lower
            });
        if starts_word && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Prefixes of well-known credentials (Stripe, GitHub, Slack, GitLab, npm):
/// a value starting with one is a key, whatever field it was put in.
const TOKEN_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "glpat-",
    "npm_",
];

/// Bearer tokens, JWTs, PEM private keys, well-known API keys and card
/// numbers that pass Luhn.
pub fn looks_secret(s: &str) -> bool {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    lower.starts_with("bearer ") && t.len() > 15
        || lower.starts_with("basic ") && t.len() > 12
        || t.contains("PRIVATE KEY-----")
        || is_credential(t)
        || is_card_number(t)
}

/// One word that is a credential on its own: a well-known API key, an AWS
/// access key id or a JWT.
pub(super) fn is_credential(t: &str) -> bool {
    is_prefixed_token(t) || is_aws_access_key(t) || is_jwt(t)
}

/// `AKIA…`/`ASIA…` and 16 capitals or digits: an AWS access key id.
fn is_aws_access_key(t: &str) -> bool {
    t.len() == 20
        && (t.starts_with("AKIA") || t.starts_with("ASIA"))
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A known prefix followed by at least 12 more key characters and nothing else.
fn is_prefixed_token(t: &str) -> bool {
    TOKEN_PREFIXES.iter().any(|prefix| {
        t.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= 12
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    })
}

fn is_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && s.starts_with("eyJ")
        && parts.iter().all(|p| {
            p.len() >= 4
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// 13 to 19 digits (spaces or dashes allowed between) with a valid Luhn
/// check digit and an issuer's first digit: 2 to 6 for the card networks,
/// 1 only for 15-digit airline (UATP) cards. Without the issuer check a
/// millisecond timestamp (13 digits, starting with 1) passes one time in ten.
pub(super) fn is_card_number(s: &str) -> bool {
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return false;
    }
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let issuer_ok = match digits[0] {
        2..=6 => true,
        1 => digits.len() == 15,
        _ => false,
    };
    if !issuer_ok {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_keys_are_redacted_at_any_depth_and_keep_their_key() {
        let mut value = json!({
            "user": { "email": "a@x.io", "new_password": "hunter2", "Password-Hash": "abc" },
            "headers": [{ "Authorization": "Basic xyz", "X-Api-Key": "k1" }],
            "accessToken": "t", "session_id": "s", "otp_code": "123456", "card": { "number": "4111" },
        });
        let count = Redactor::default().redact(&mut value);
        assert_eq!(value["user"]["email"], "a@x.io");
        assert_eq!(value["user"]["new_password"], REDACTED);
        assert_eq!(value["user"]["Password-Hash"], REDACTED);
        assert_eq!(value["headers"][0]["Authorization"], REDACTED);
        assert_eq!(value["headers"][0]["X-Api-Key"], REDACTED);
        assert_eq!(value["accessToken"], REDACTED);
        assert_eq!(value["session_id"], REDACTED);
        assert_eq!(value["otp_code"], REDACTED);
        assert_eq!(value["card"], REDACTED);
        assert_eq!(count, 8);
    }

    #[test]
    fn ordinary_keys_that_merely_contain_a_secret_word_are_kept() {
        let mut value =
            json!({ "company": "Acme", "expand": true, "footprint": 3, "tokenizer_version": 2 });
        let before = value.clone();
        assert_eq!(Redactor::default().redact(&mut value), 0);
        assert_eq!(value, before);
    }

    #[test]
    fn secret_looking_values_are_redacted_whatever_their_key() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdEFGH_ijk-lmn";
        let mut value = json!({
            "note": "Bearer abcdefghijklmnop",
            "claims": jwt,
            "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIB...\n-----END RSA PRIVATE KEY-----",
            "paid_with": "4111 1111 1111 1111",
            "order_number": "4111 1111 1111 1112",
            "amount": "-12.50",
        });
        Redactor::default().redact(&mut value);
        assert_eq!(value["note"], REDACTED);
        assert_eq!(value["claims"], REDACTED);
        assert_eq!(value["pem"], REDACTED);
        assert_eq!(value["paid_with"], REDACTED);
        assert_eq!(
            value["order_number"], "4111 1111 1111 1112",
            "fails Luhn: not a card"
        );
        assert_eq!(value["amount"], "-12.50");
    }

    #[test]
    fn well_known_api_keys_are_redacted_but_words_sharing_a_prefix_are_not() {
        assert!(looks_secret("sk_live_4eC39HqLyjWDarjtT1zdp7dc"));
        assert!(looks_secret("ghp_16C7e42F292c6912E7710c838347Ae178B4a"));
        assert!(looks_secret("AKIAIOSFODNN7EXAMPLE"));
        assert!(!looks_secret("ASIAN-PACIFIC"));
        assert!(!looks_secret("npm_install failed"));
        assert!(!looks_secret("ASIAPACIFICREGIONALOFFICES"));
    }

    #[test]
    fn configured_words_extend_the_defaults() {
        let redactor = Redactor::new(&["iban".to_string(), "Seed-Phrase".to_string()]);
        assert!(redactor.is_secret_key("payout_iban"));
        assert!(redactor.is_secret_key("wallet.seed_phrase"));
        assert!(!Redactor::default().is_secret_key("payout_iban"));
    }

    #[test]
    fn a_tenants_words_add_to_the_deployments_and_never_replace_them() {
        let deployment = Redactor::new(&["iban".to_string()]);
        let tenant = deployment.extended(&["Gift-Code".to_string(), "  ".to_string()]);
        assert!(tenant.is_secret_key("payout_iban"));
        assert!(tenant.is_secret_key("voucher.giftCode"));
        assert!(tenant.is_secret_key("password"));
        assert!(!deployment.is_secret_key("gift_code"));
    }

    #[test]
    fn keys_are_split_into_words_at_case_changes_separators_and_acronyms() {
        assert_eq!(split_words("x-API_keyValue"), ["x", "api", "key", "value"]);
        assert_eq!(split_words("TOTPSeed"), ["totp", "seed"]);
        assert_eq!(split_words("AccessKeyId"), ["access", "key", "id"]);
        assert_eq!(split_words("cvv2"), ["cvv2"]);
        assert_eq!(split_words("SECRET_KEY"), ["secret", "key"]);
    }

    #[test]
    fn a_null_secret_stays_null_so_a_cleared_password_still_shows() {
        let mut value = json!({ "password": null });
        Redactor::default().redact(&mut value);
        assert_eq!(value["password"], Value::Null);
    }
}
