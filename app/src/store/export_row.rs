//! Events flattened for export. Each row is packed by the database into one
//! JSON array (`json_array` / `json_build_array`) rather than 27 columns, and
//! a page of rows into one text value: the SQLite driver copies every column
//! value separately and hands every row across threads, which made wide reads
//! several times slower than the database itself.
//!
//! Rows in a page are joined with the ASCII record separator (0x1E). JSON
//! escapes every control character inside strings, so the separator can only
//! fall between rows: the page splits without being parsed, its last row (the
//! next page's cursor) is found from the end, and rows are parsed where they
//! are encoded, borrowing their text from the page instead of copying it.

use super::DbError;
use crate::model::Cursor;
use serde::Deserialize;
use std::borrow::Cow;

/// Between two packed rows of a page.
const SEPARATOR: u8 = 0x1e;

/// One event as stored: times in microseconds, JSON columns as their text.
/// Text is borrowed from the page unless JSON escapes had to be undone.
#[derive(Clone, Debug, Deserialize)]
pub struct ExportRow<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub tenant: Cow<'a, str>,
    pub seq: i64,
    pub occurred_us: i64,
    pub received_us: i64,
    #[serde(borrow)]
    pub actor_id: Cow<'a, str>,
    #[serde(borrow)]
    pub actor_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub actor_email: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub actor_type: Cow<'a, str>,
    #[serde(borrow)]
    pub action: Cow<'a, str>,
    #[serde(borrow)]
    pub category: Cow<'a, str>,
    #[serde(borrow)]
    pub event_type: Cow<'a, str>,
    #[serde(borrow)]
    pub outcome: Cow<'a, str>,
    #[serde(borrow)]
    pub severity: Cow<'a, str>,
    #[serde(borrow)]
    pub resource_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub resource_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub resource_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub targets: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub ip: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub user_agent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub request_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub description: Cow<'a, str>,
    #[serde(borrow)]
    pub before: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub after: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub metadata: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub prev_hash: Cow<'a, str>,
    #[serde(borrow)]
    pub hash: Cow<'a, str>,
}

/// The packed select for SQLite (JSON columns are TEXT there already).
const SQLITE_PACKED: &str = "json_array(e.id, t.slug, e.seq, e.occurred_at, e.received_at, \
     e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, e.event_type, \
     e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, e.targets_json, e.ip, \
     e.user_agent, e.request_id, e.description, e.before_json, e.after_json, e.metadata_json, \
     e.prev_hash, e.hash)";

/// The packed select for PostgreSQL: JSONB columns as text, so both
/// backends hand over the same shape.
const POSTGRES_PACKED: &str = "json_build_array(e.id, t.slug, e.seq, e.occurred_at, \
     e.received_at, e.actor_id, e.actor_name, e.actor_email, e.actor_type, e.action, e.category, \
     e.event_type, e.outcome, e.severity, e.resource_type, e.resource_id, e.resource_name, \
     e.targets_json::text, e.ip, e.user_agent, e.request_id, e.description, e.before_json::text, \
     e.after_json::text, e.metadata_json::text, e.prev_hash, e.hash)::text";

/// How a backend packs a row, and joins packed rows into one page.
pub struct Packing {
    pub row: &'static str,
    /// An aggregate over the packed column `p`, separated by 0x1E, newest
    /// first (`o`, `i`: the row's time and id).
    pub join: &'static str,
}

/// SQLite concatenates in the order its ordered subquery yields the rows.
/// The documentation calls that order arbitrary without an `ORDER BY` in
/// the aggregate, but with one SQLite sorts the page again in a temporary
/// B-tree, which cost a third of the export's throughput; `ExportPage::rows`
/// checks the order instead and fails the export if it is ever broken.
pub const SQLITE_PACKING: Packing = Packing {
    row: SQLITE_PACKED,
    join: "group_concat(p, char(30))",
};

pub const POSTGRES_PACKING: Packing = Packing {
    row: POSTGRES_PACKED,
    join: "string_agg(p, chr(30) ORDER BY o DESC, i DESC)",
};

/// A page of packed rows, newest first, as one text.
#[derive(Debug)]
pub struct ExportPage {
    text: String,
    rows: usize,
    /// The cursor the page was read below.
    below: Option<Cursor>,
}

impl ExportPage {
    /// A page as `select_packed_page` returns it (`None`: no rows) with its
    /// row count, read below `below`.
    pub fn new(packed: Option<String>, rows: i64, below: Option<Cursor>) -> ExportPage {
        ExportPage {
            text: packed.unwrap_or_default(),
            rows: usize::try_from(rows).unwrap_or(0),
            below,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Every row, parsed as it is reached, borrowing from the page (one row
    /// at a time stays in cache, a page of parsed rows did not); an error if
    /// they are not strictly newest first below the page's cursor, as the
    /// next page's cursor (taken from the last row alone) relies on.
    pub fn rows(&self) -> Rows<'_> {
        let newer = self
            .below
            .as_ref()
            .map(|c| (c.occurred_us, Cow::Borrowed(c.id.as_str())));
        Rows {
            packed: self.packed(),
            newer,
        }
    }

    /// The keyset cursor just past the page's last (oldest) row.
    pub fn cursor(&self) -> Result<Option<Cursor>, DbError> {
        let Some(last) = self.packed().next_back() else {
            return Ok(None);
        };
        let row = parse(last)?;
        Ok(Some(Cursor {
            occurred_us: row.occurred_us,
            id: row.id.into_owned(),
        }))
    }

    fn packed(&self) -> Packed<'_> {
        fn non_empty(row: &&str) -> bool {
            !row.is_empty()
        }
        self.text.split(SEPARATOR as char).filter(non_empty)
    }
}

type Packed<'a> = std::iter::Filter<std::str::Split<'a, char>, fn(&&'a str) -> bool>;

/// The rows of a page, checked to be in order; see `ExportPage::rows`.
pub struct Rows<'a> {
    packed: Packed<'a>,
    /// The previous row's key (its id borrowed from the page).
    newer: Option<(i64, Cow<'a, str>)>,
}

impl<'a> Iterator for Rows<'a> {
    type Item = Result<ExportRow<'a>, DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = match parse(self.packed.next()?) {
            Ok(row) => row,
            Err(err) => return Some(Err(err)),
        };
        let key = (row.occurred_us, row.id.clone());
        if self.newer.as_ref().is_some_and(|newer| &key >= newer) {
            return Some(Err(DbError::Corrupt(
                "the database returned an export page out of order".into(),
            )));
        }
        self.newer = Some(key);
        Some(Ok(row))
    }
}

fn parse(packed: &str) -> Result<ExportRow<'_>, DbError> {
    sonic_rs::from_str(packed).map_err(|e| DbError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = r#"["01A","acme",7,1700000000000000,1700000000000001,"alice",null,"a@x.io","user","balance.added","balance","create","success","info",null,null,null,"[]","10.0.0.1",null,null,"said \"hi\"","{\"a\":1}",null,null,"p","h"]"#;

    #[test]
    fn a_page_splits_on_the_record_separator_and_borrows_unescaped_text() {
        // Same time, smaller id: next in newest-first order.
        let second = ROW.replace("01A", "019").replace(",7,", ",6,");
        let page = ExportPage::new(Some(format!("{ROW}\u{1e}{second}")), 2, None);
        assert_eq!(page.len(), 2);
        let rows: Vec<_> = page.rows().collect::<Result<_, _>>().unwrap();
        assert_eq!((rows[0].seq, rows[1].seq), (7, 6));
        assert!(matches!(rows[0].actor_id, Cow::Borrowed("alice")));
        assert_eq!(rows[0].description, "said \"hi\"");
        assert_eq!(rows[0].before.as_deref(), Some("{\"a\":1}"));
        assert_eq!(page.cursor().unwrap().unwrap().id, "019");
    }

    #[test]
    fn an_empty_page_has_no_rows_and_no_cursor() {
        let page = ExportPage::new(None, 0, None);
        assert!(page.is_empty());
        assert!(page.rows().next().is_none());
        assert!(page.cursor().unwrap().is_none());
    }

    #[test]
    fn rows_out_of_order_are_refused_rather_than_exported() {
        let older = ROW.replace("1700000000000000", "1600000000000000");
        let swapped = ExportPage::new(Some(format!("{older}\u{1e}{ROW}")), 2, None);
        assert!(swapped.rows().any(|row| row.is_err()));
        let below = Cursor {
            occurred_us: 1_650_000_000_000_000,
            id: "01Z".into(),
        };
        let above_its_cursor = ExportPage::new(Some(ROW.into()), 1, Some(below));
        assert!(above_its_cursor.rows().any(|row| row.is_err()));
    }
}
