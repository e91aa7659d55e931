//! Free-text search in each backend's own index: SQLite's FTS5 table
//! `events_fts`, PostgreSQL's `search` tsvector column. Both index the same
//! words (see `model::search_text`), so they find the same rows. Each
//! backend's `Dialect::push_match` writes its condition from these queries.

/// FTS5 rows are keyed by tenant and chain position packed in one integer
/// (a plain rowid of `events` could change under VACUUM).
pub(crate) const FTS_KEY_BITS: u32 = 40;

/// `"hwid reset"* "alice"*`: every phrase, its last word a prefix (from 3
/// letters). Words are letters and digits only, so nothing needs escaping.
pub(crate) fn fts5_query(phrases: &[Vec<String>]) -> String {
    phrases
        .iter()
        .map(|p| format!("\"{}\"{}", p.join(" "), prefix_mark(p, "*")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shorter last words match whole words only. A prefix of one or two
/// letters matches nearly every event (in the benchmark's data, "ke" every
/// one), so it narrows nothing; what people type that short is a word of
/// its own ("ip", "ok", "eu"). It also spares the index the 2-letter
/// prefix entries: the free-text index is half the size and ingest a
/// third faster without them (see migration 0020).
const PREFIX_FROM: usize = 3;

/// `mark` when the phrase's last word is searched as a prefix, else nothing.
fn prefix_mark(phrase: &[String], mark: &'static str) -> &'static str {
    let long = phrase
        .last()
        .is_some_and(|word| word.chars().count() >= PREFIX_FROM);
    if long {
        mark
    } else {
        ""
    }
}

/// `hwid <-> reset:* & alice:*`, the same query for PostgreSQL.
pub(crate) fn tsquery(phrases: &[Vec<String>]) -> String {
    phrases
        .iter()
        .map(|p| format!("{}{}", p.join(" <-> "), prefix_mark(p, ":*")))
        .collect::<Vec<_>>()
        .join(" & ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::search_phrases;

    #[test]
    fn phrases_become_prefix_queries_in_each_dialect() {
        let phrases = search_phrases("\"HWID reset\" alice@acme");
        assert_eq!(fts5_query(&phrases), "\"hwid reset\"* \"alice\"* \"acme\"*");
        assert_eq!(tsquery(&phrases), "hwid <-> reset:* & alice:* & acme:*");
    }

    #[test]
    fn a_last_word_of_one_or_two_letters_matches_whole_words_only() {
        let phrases = search_phrases("ip \"reset ok\" key é");
        assert_eq!(fts5_query(&phrases), "\"ip\" \"reset ok\" \"key\"* \"é\"");
        assert_eq!(tsquery(&phrases), "ip & reset <-> ok & key:* & é");
    }
}
