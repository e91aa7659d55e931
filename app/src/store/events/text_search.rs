//! Free-text search in each backend's own index: SQLite's FTS5 table
//! `events_fts`, PostgreSQL's `search` tsvector column. Both index the same
//! words (see `model::search_text`), so they find the same rows. Each
//! backend's `Dialect::push_match` writes its condition from these queries.

/// FTS5 rows are keyed by tenant and chain position packed in one integer
/// (a plain rowid of `events` could change under VACUUM).
pub(crate) const FTS_KEY_BITS: u32 = 40;

/// `"hwid reset"* "alice"*`: every phrase, its last word a prefix. Words are
/// letters and digits only, so nothing needs escaping.
pub(crate) fn fts5_query(phrases: &[Vec<String>]) -> String {
    phrases
        .iter()
        .map(|p| format!("\"{}\"*", p.join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `hwid <-> reset:* & alice:*`, the same query for PostgreSQL.
pub(crate) fn tsquery(phrases: &[Vec<String>]) -> String {
    phrases
        .iter()
        .map(|p| format!("{}:*", p.join(" <-> ")))
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
}
