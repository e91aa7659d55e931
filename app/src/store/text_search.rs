//! Free-text search in each backend's own index: SQLite's FTS5 table
//! `events_fts`, PostgreSQL's `search` tsvector column. Both index the same
//! words (see `model::search_text`), so they find the same rows.

use sqlx::{Database, Encode, QueryBuilder, Type};

/// The `AND …` that keeps events matching every phrase, of one tenant if
/// `tenant` is known (SQLite then reads only that tenant's part of its index).
pub trait TextSearch: Database + Sized {
    fn push_match<'a>(
        qb: &mut QueryBuilder<'a, Self>,
        phrases: &[Vec<String>],
        tenant: Option<i64>,
    ) where
        String: Encode<'a, Self> + Type<Self>,
        i64: Encode<'a, Self> + Type<Self>;
}

/// FTS5 rows are keyed by tenant and chain position packed in one integer
/// (a plain rowid of `events` could change under VACUUM).
pub const FTS_KEY_BITS: u32 = 40;

impl TextSearch for sqlx::Sqlite {
    fn push_match<'a>(qb: &mut QueryBuilder<'a, Self>, phrases: &[Vec<String>], tenant: Option<i64>)
    where
        String: Encode<'a, Self> + Type<Self>,
        i64: Encode<'a, Self> + Type<Self>,
    {
        qb.push(format!(
            " AND (e.tenant_id, e.seq) IN (SELECT rowid >> {FTS_KEY_BITS}, \
             rowid & {} FROM events_fts WHERE events_fts MATCH ",
            (1_i64 << FTS_KEY_BITS) - 1
        ));
        qb.push_bind(fts5_query(phrases));
        if let Some(id) = tenant {
            qb.push(" AND rowid >= ").push_bind(id << FTS_KEY_BITS);
            qb.push(" AND rowid < ").push_bind((id + 1) << FTS_KEY_BITS);
        }
        qb.push(")");
    }
}

impl TextSearch for sqlx::Postgres {
    fn push_match<'a>(
        qb: &mut QueryBuilder<'a, Self>,
        phrases: &[Vec<String>],
        _tenant: Option<i64>,
    ) where
        String: Encode<'a, Self> + Type<Self>,
        i64: Encode<'a, Self> + Type<Self>,
    {
        qb.push(" AND e.search @@ to_tsquery('simple', ");
        qb.push_bind(tsquery(phrases)).push(")");
    }
}

/// `"hwid reset"* "alice"*`: every phrase, its last word a prefix. Words are
/// letters and digits only, so nothing needs escaping.
pub fn fts5_query(phrases: &[Vec<String>]) -> String {
    phrases
        .iter()
        .map(|p| format!("\"{}\"*", p.join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `hwid <-> reset:* & alice:*`, the same query for PostgreSQL.
pub fn tsquery(phrases: &[Vec<String>]) -> String {
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
