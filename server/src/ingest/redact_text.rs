//! Secrets inside longer text: a bearer token pasted into a description, a
//! card number in the middle of a sentence, an API key in a user agent.
//! Only the secret is replaced; the sentence around it stays readable.

use super::redact::{is_card_number, is_credential, REDACTED};

/// `text` with every embedded secret replaced by `[redacted]`, or `None`
/// when it holds none.
pub(super) fn redact_text(text: &str) -> Option<String> {
    if text.contains("PRIVATE KEY-----") {
        return Some(REDACTED.to_string());
    }
    let mut spans = word_spans(text);
    spans.extend(card_spans(text));
    if spans.is_empty() {
        return None;
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if start < at {
            continue; // inside a span already replaced
        }
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Words that are credentials (well-known key prefixes, AWS key ids, JWTs),
/// and the word after `Bearer` or `Basic`. A word is a run of the
/// characters keys are made of; anything else (spaces, `=`, brackets,
/// quotes) separates them.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '+' | '/');
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, key_char(c) && i < text.len()) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                // A sentence's full stop is not part of the key.
                let word = text[s..i].trim_end_matches('.');
                words.push((s, word));
                start = None;
            }
            _ => {}
        }
    }
    let mut spans = Vec::new();
    for (i, &(start, word)) in words.iter().enumerate() {
        let after_scheme = i > 0 && {
            let previous = words[i - 1].1.to_ascii_lowercase();
            (previous == "bearer" || previous == "basic") && word.len() >= 8
        };
        if !word.is_empty() && (after_scheme || is_credential(word)) {
            spans.push((start, start + word.len()));
        }
    }
    spans
}

/// Runs of digits (single spaces or dashes between) that are card numbers.
fn card_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                end = j + 1;
                j += 1;
            } else if matches!(bytes[j], b' ' | b'-')
                && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if is_card_number(&text[start..end]) {
            spans.push((start, end));
        }
        i = end.max(i + 1);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_inside_a_sentence_is_replaced_and_the_sentence_kept() {
        assert_eq!(
            redact_text("Called the API with Bearer abcdef123456789 and it failed").as_deref(),
            Some("Called the API with Bearer [redacted] and it failed")
        );
        assert_eq!(
            redact_text("Paid with 4242 4242 4242 4242, thanks").as_deref(),
            Some("Paid with [redacted], thanks")
        );
        assert_eq!(
            redact_text("key=(sk_live_abcdefghijklmnop) rotated").as_deref(),
            Some("key=([redacted]) rotated")
        );
        assert_eq!(
            redact_text("curl/8.1 AKIAIOSFODNN7EXAMPLE").as_deref(),
            Some("curl/8.1 [redacted]")
        );
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        assert_eq!(
            redact_text(&format!("session {jwt} expired")).as_deref(),
            Some("session [redacted] expired")
        );
    }

    #[test]
    fn ordinary_text_and_short_numbers_are_left_alone() {
        for text in [
            "Reset the HWID at the player's request",
            "Order 2026-01-01 12:30 for 4 licences",
            "Added 500 EUR to account 42",
            "Bearer of good news",
            // A millisecond timestamp that happens to pass the Luhn check.
            "E2E reset of KEY-1796664875111",
        ] {
            assert_eq!(redact_text(text), None, "{text}");
        }
    }
}
