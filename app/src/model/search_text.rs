//! Free text as the search indexes see it: lower-case runs of letters and
//! digits. Both backends index text cut this way (SQLite's `unicode61`
//! tokenizer, PostgreSQL after replacing every other character by a space),
//! so the same words find the same rows.

/// The phrases of a search: bare words are phrases of one word; "quoted
/// text" is one phrase whose words must be adjacent. Every phrase is required
/// and its last word matches as a prefix.
pub fn search_phrases(text: &str) -> Vec<Vec<String>> {
    let mut phrases = Vec::new();
    for (i, part) in text.split('"').enumerate() {
        // Odd parts sit between quotes; an unclosed quote runs to the end.
        let quoted = i % 2 == 1;
        let words = words(part);
        if quoted {
            if !words.is_empty() {
                phrases.push(words);
            }
        } else {
            phrases.extend(words.into_iter().map(|w| vec![w]));
        }
    }
    phrases
}

/// Lower-case runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_anything_but_letters_and_digits() {
        assert_eq!(
            words("Alice.Novak@acme.io reset 9F2A-11C0"),
            vec!["alice", "novak", "acme", "io", "reset", "9f2a", "11c0"]
        );
    }

    #[test]
    fn quoted_text_is_one_phrase_and_bare_words_are_their_own() {
        assert_eq!(
            search_phrases("\"hwid reset\" alice"),
            vec![
                vec!["hwid".to_string(), "reset".to_string()],
                vec!["alice".to_string()]
            ]
        );
    }

    #[test]
    fn punctuation_alone_searches_for_nothing() {
        assert!(search_phrases("-- \"\" ..").is_empty());
    }
}
