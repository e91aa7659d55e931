//! User agents stored once (migration 0025): an event holds the number of
//! its user agent's row in `user_agents`, which is found by a digest of
//! the text, never by the text, so a flood of distinct texts costs each
//! one its bytes and a small key, not a second copy in an index.
//!
//! A group's texts are resolved inside its transaction, so a row made for
//! a text commits (or is undone) with the first events that name it. The
//! committer remembers the numbers its commits have seen, so a platform's
//! few dozen user agents cost no statement after the first group. Rows are
//! never deleted (retention leaves them: each is a short text another
//! event may name again), so a remembered number stays right, on every
//! instance that shares the database.

use crate::store::{
    backend::{Backend, Tx},
    error::DbError,
    sql::Sql,
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Texts the committer remembers; past this it starts again, so a flood
/// of distinct texts cannot grow its memory.
const REMEMBERED: usize = 1_024;
/// Digests per statement, well under both backends' bind limits.
const CHUNK: usize = 400;

/// The numbers of a group's user agents, by text.
pub type AgentIds = HashMap<String, i64>;

/// The numbers earlier commits stored or found.
#[derive(Debug, Default)]
pub struct KnownAgents {
    ids: AgentIds,
}

impl KnownAgents {
    /// Remembers what a committed group resolved.
    pub fn learn(&mut self, resolved: AgentIds) {
        for (text, id) in resolved {
            if self.ids.len() >= REMEMBERED && !self.ids.contains_key(&text) {
                self.ids.clear();
            }
            self.ids.insert(text, id);
        }
    }
}

/// The dictionary's key for `text`: the first 16 bytes of its SHA-256
/// (the same as the PostgreSQL migration computes in SQL).
pub(crate) fn digest(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes())[..16].to_vec()
}

/// The number of each of `texts`, storing those the dictionary lacks.
pub async fn resolve<'t, B: Backend>(
    tx: &mut Tx<B>,
    known: &KnownAgents,
    texts: impl IntoIterator<Item = &'t str>,
) -> Result<AgentIds, DbError> {
    // A group names the same few texts over and over: each distinct one
    // is looked up (and digested) once.
    let distinct: HashSet<&str> = texts.into_iter().collect();
    let mut ids = AgentIds::with_capacity(distinct.len());
    let mut missing: HashMap<Vec<u8>, &str> = HashMap::new();
    for text in distinct {
        match known.ids.get(text) {
            Some(&id) => {
                ids.insert(text.to_string(), id);
            }
            None => {
                missing.insert(digest(text), text);
            }
        }
    }
    if missing.is_empty() {
        return Ok(ids);
    }
    find::<B>(tx, &mut missing, &mut ids).await?;
    let new: Vec<(Vec<u8>, &str)> = missing.iter().map(|(d, t)| (d.clone(), *t)).collect();
    for chunk in new.chunks(CHUNK) {
        let mut sql = Sql::<B::Db>::new("INSERT INTO user_agents (digest, text) VALUES ");
        for (i, (d, text)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push_tuple([d.clone().into(), (*text).into()]);
        }
        // Another instance may store the same text first (PostgreSQL):
        // its row is then found below.
        sql.push(" ON CONFLICT (digest) DO NOTHING RETURNING id, digest");
        let rows: Vec<(i64, Vec<u8>)> = sql.fetch_all(&mut *tx).await?;
        for (id, d) in rows {
            if let Some(text) = missing.remove(&d) {
                ids.insert(text.to_string(), id);
            }
        }
    }
    if !missing.is_empty() {
        find::<B>(tx, &mut missing, &mut ids).await?;
    }
    match missing.values().next() {
        Some(text) => Err(DbError::Corrupt(format!(
            "user agent {text:?} is neither stored nor storable"
        ))),
        None => Ok(ids),
    }
}

/// Moves the texts the dictionary holds from `missing` to `ids`.
async fn find<B: Backend>(
    tx: &mut Tx<B>,
    missing: &mut HashMap<Vec<u8>, &str>,
    ids: &mut AgentIds,
) -> Result<(), DbError> {
    let digests: Vec<Vec<u8>> = missing.keys().cloned().collect();
    for chunk in digests.chunks(CHUNK) {
        let mut sql = Sql::<B::Db>::new("SELECT id, digest FROM user_agents WHERE digest IN (");
        sql.push_list(chunk.iter().cloned()).push(")");
        let rows: Vec<(i64, Vec<u8>)> = sql.fetch_all(&mut *tx).await?;
        for (id, d) in rows {
            if let Some(text) = missing.remove(&d) {
                ids.insert(text.to_string(), id);
            }
        }
    }
    Ok(())
}

/// Gives the rows the SQLite migration made (it has no SHA-256) their
/// digests; run on open, before the committer starts. A no-op once done,
/// and on PostgreSQL, whose migration computes them.
pub(crate) async fn fill_digests<B: Backend>(tx: &mut Tx<B>) -> Result<u64, DbError> {
    let rows: Vec<(i64, String)> =
        Sql::<B::Db>::new("SELECT id, text FROM user_agents WHERE digest IS NULL")
            .fetch_all(&mut *tx)
            .await?;
    for (id, text) in &rows {
        Sql::<B::Db>::new("UPDATE user_agents SET digest = $1 WHERE id = $2")
            .bind(digest(text))
            .bind(*id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_the_first_half_of_the_texts_sha256() {
        // printf 'curl/8.5.0' | sha256sum | cut -c1-32; PostgreSQL's
        // migration computes the same with sha256() and substring().
        assert_eq!(
            hex::encode(digest("curl/8.5.0")),
            "07d1d539047ef01990ffd8266d015775"
        );
        assert_ne!(digest("curl/8.5.0"), digest("curl/8.5.1"));
    }

    #[test]
    fn the_remembered_numbers_start_again_past_their_bound() {
        let mut known = KnownAgents::default();
        known.learn(
            (0..REMEMBERED as i64)
                .map(|i| (format!("ua {i}"), i))
                .collect(),
        );
        assert_eq!(known.ids.len(), REMEMBERED);
        known.learn(AgentIds::from([("ua 0".to_string(), 0)]));
        assert_eq!(known.ids.len(), REMEMBERED, "a known text does not reset");
        known.learn(AgentIds::from([("another".to_string(), 9_999)]));
        assert_eq!(known.ids.len(), 1);
        assert_eq!(known.ids.get("another"), Some(&9_999));
    }
}
