//! Events flattened for export, a page at a time.
//!
//! PostgreSQL packs each row into one JSON array (`json_build_array`) and a
//! page of rows into one text value: one value per page crosses the driver
//! instead of 27 per row. Rows in a page are joined with the ASCII record
//! separator (0x1E); JSON escapes every control character inside strings,
//! so the separator can only fall between rows: the page splits without
//! being parsed, its last row (the next page's cursor) is found from the
//! end, and rows are parsed where they are encoded, borrowing their text.
//!
//! SQLite pages are read column by column instead (`export_columns`): there
//! building the JSON cost more than reading the rows.

use crate::model::{Cursor, Event};
use crate::store::{events::export_columns::ColumnPage, DbError};
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
    /// The tenant's number, which orders pages (see `Cursor`).
    pub tenant_id: i64,
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

/// Packed rows `p` joined into one page by 0x1E, newest first (`o`, `tn`,
/// `s`: the row's time, tenant and chain position).
pub(crate) const PACKED_JOIN: &str = "string_agg(p, chr(30) ORDER BY o DESC, tn DESC, s DESC)";

/// A page of rows, newest first: packed text from PostgreSQL, copied
/// columns from SQLite (see `export_columns`).
#[derive(Debug)]
pub struct ExportPage {
    body: Body,
    rows: usize,
    /// The cursor the page was read below.
    below: Option<Cursor>,
}

#[derive(Debug)]
enum Body {
    Packed(String),
    Columns(ColumnPage),
}

impl ExportPage {
    /// A page as `ExportSelect::Packed` returns it (`None`: no rows) with its
    /// row count, read below `below`.
    pub fn packed(packed: Option<String>, rows: i64, below: Option<Cursor>) -> ExportPage {
        ExportPage {
            body: Body::Packed(packed.unwrap_or_default()),
            rows: usize::try_from(rows).unwrap_or(0),
            below,
        }
    }

    /// A page of rows copied column by column, read below `below`.
    pub fn columns(page: ColumnPage, below: Option<Cursor>) -> ExportPage {
        ExportPage {
            rows: page.len(),
            body: Body::Columns(page),
            below,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Every row, made as it is reached, borrowing from the page (one row at
    /// a time stays in cache, a page of owned rows did not); an error if
    /// they are not strictly newest first below the page's cursor, as the
    /// next page's cursor (taken from the last row alone) relies on.
    pub fn rows(&self) -> Rows<'_> {
        let newer = self.below;
        let source = match &self.body {
            Body::Packed(text) => Source::Packed(split(text)),
            Body::Columns(page) => Source::Columns(page, 0..page.len()),
        };
        Rows { source, newer }
    }

    /// The keyset cursor just past the page's last (oldest) row.
    pub fn cursor(&self) -> Result<Option<Cursor>, DbError> {
        let last = match &self.body {
            Body::Packed(text) => split(text).next_back().map(parse),
            Body::Columns(page) => page.len().checked_sub(1).map(|last| page.row(last)),
        };
        let Some(row) = last.transpose()? else {
            return Ok(None);
        };
        Ok(Some(row.key()))
    }
}

impl<'a> From<&'a Event> for ExportRow<'a> {
    /// An event read whole (the details view's read) in the export's shape,
    /// so that one encoder writes every event the API hands out.
    fn from(e: &'a Event) -> Self {
        let text = |s: &'a Option<String>| s.as_deref().map(Cow::Borrowed);
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| Cow::Owned(v.to_string()));
        let resource = e.resource.as_ref();
        ExportRow {
            id: Cow::Borrowed(&e.id),
            tenant: Cow::Borrowed(&e.tenant),
            tenant_id: e.tenant_id,
            seq: e.seq,
            occurred_us: e.occurred_at.timestamp_micros(),
            received_us: e.received_at.timestamp_micros(),
            actor_id: Cow::Borrowed(&e.actor.id),
            actor_name: text(&e.actor.name),
            actor_email: text(&e.actor.email),
            actor_type: Cow::Borrowed(e.actor.kind.as_str()),
            action: Cow::Borrowed(&e.action),
            category: Cow::Borrowed(&e.category),
            event_type: Cow::Borrowed(&e.event_type),
            outcome: Cow::Borrowed(e.outcome.as_str()),
            severity: Cow::Borrowed(e.severity.as_str()),
            resource_type: resource.map(|r| Cow::Borrowed(r.kind.as_str())),
            resource_id: resource.map(|r| Cow::Borrowed(r.id.as_str())),
            resource_name: resource.and_then(|r| r.name.as_deref().map(Cow::Borrowed)),
            targets: (!e.targets.is_empty())
                .then(|| serde_json::to_string(&e.targets).ok().map(Cow::Owned))
                .flatten(),
            ip: text(&e.ip),
            user_agent: text(&e.user_agent),
            request_id: text(&e.request_id),
            description: Cow::Borrowed(&e.description),
            before: json(&e.before),
            after: json(&e.after),
            metadata: json(&e.metadata),
            prev_hash: Cow::Borrowed(&e.prev_hash),
            hash: Cow::Borrowed(&e.hash),
        }
    }
}

impl ExportRow<'_> {
    /// The row's place in page order.
    pub fn key(&self) -> Cursor {
        Cursor {
            occurred_us: self.occurred_us,
            tenant_id: self.tenant_id,
            seq: self.seq,
        }
    }
}

fn split(text: &str) -> Packed<'_> {
    fn non_empty(row: &&str) -> bool {
        !row.is_empty()
    }
    text.split(SEPARATOR as char).filter(non_empty)
}

type Packed<'a> = std::iter::Filter<std::str::Split<'a, char>, fn(&&'a str) -> bool>;

enum Source<'a> {
    Packed(Packed<'a>),
    Columns(&'a ColumnPage, std::ops::Range<usize>),
}

/// The rows of a page, checked to be in order; see `ExportPage::rows`.
pub struct Rows<'a> {
    source: Source<'a>,
    /// The previous row's place.
    newer: Option<Cursor>,
}

impl<'a> Iterator for Rows<'a> {
    type Item = Result<ExportRow<'a>, DbError>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = match &mut self.source {
            Source::Packed(packed) => parse(packed.next()?),
            Source::Columns(page, indexes) => page.row(indexes.next()?),
        };
        let row = match row {
            Ok(row) => row,
            Err(err) => return Some(Err(err)),
        };
        let key = row.key();
        if self.newer.is_some_and(|newer| key >= newer) {
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

    const ROW: &str = r#"["01A","acme",3,7,1700000000000000,1700000000000001,"alice",null,"a@x.io","user","balance.added","balance","create","success","info",null,null,null,"[]","10.0.0.1",null,null,"said \"hi\"","{\"a\":1}",null,null,"p","h"]"#;

    #[test]
    fn a_page_splits_on_the_record_separator_and_borrows_unescaped_text() {
        // Same time and tenant, earlier in the chain: next in newest-first order.
        let second = ROW.replace("01A", "019").replace(",7,", ",6,");
        let page = ExportPage::packed(Some(format!("{ROW}\u{1e}{second}")), 2, None);
        assert_eq!(page.len(), 2);
        let rows: Vec<_> = page.rows().collect::<Result<_, _>>().unwrap();
        assert_eq!((rows[0].seq, rows[1].seq), (7, 6));
        assert!(matches!(rows[0].actor_id, Cow::Borrowed("alice")));
        assert_eq!(rows[0].description, "said \"hi\"");
        assert_eq!(rows[0].before.as_deref(), Some("{\"a\":1}"));
        assert_eq!(page.cursor().unwrap().unwrap().seq, 6);
    }

    #[test]
    fn an_empty_page_has_no_rows_and_no_cursor() {
        let page = ExportPage::packed(None, 0, None);
        assert!(page.is_empty());
        assert!(page.rows().next().is_none());
        assert!(page.cursor().unwrap().is_none());
    }

    #[test]
    fn rows_out_of_order_are_refused_rather_than_exported() {
        let older = ROW.replace("1700000000000000", "1600000000000000");
        let swapped = ExportPage::packed(Some(format!("{older}\u{1e}{ROW}")), 2, None);
        assert!(swapped.rows().any(|row| row.is_err()));
        let below = Cursor {
            occurred_us: 1_650_000_000_000_000,
            tenant_id: 3,
            seq: 100,
        };
        let above_its_cursor = ExportPage::packed(Some(ROW.into()), 1, Some(below));
        assert!(above_its_cursor.rows().any(|row| row.is_err()));
    }

    #[test]
    fn a_column_page_is_checked_for_order_and_gives_its_last_row_as_cursor() {
        let page = |seqs: [i64; 2]| {
            let mut columns = ColumnPage::with_capacity(2);
            for seq in seqs {
                let cell = |_| Some("x".as_bytes());
                columns.push_row(cell, [1, seq, 5, 5]).unwrap();
            }
            ExportPage::columns(columns, None)
        };
        let ordered = page([8, 7]);
        assert_eq!(ordered.len(), 2);
        assert!(ordered.rows().all(|row| row.is_ok()));
        assert_eq!(ordered.cursor().unwrap().unwrap().seq, 7);
        assert!(page([7, 8]).rows().any(|row| row.is_err()));
    }
}
