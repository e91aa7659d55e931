//! A page of export rows read column by column (SQLite): every text cell
//! copied once into one buffer, rows handed out as `ExportRow`s borrowing
//! from it. Nothing is packed or parsed on the way, which is what made the
//! SQLite export slower than the database could read.

use crate::store::{
    events::{
        columns::{INT_COLUMNS, TEXT_COLUMNS},
        export_row::ExportRow,
    },
    DbError,
};
use std::borrow::Cow;

/// Where a cell's text sits in the page's buffer; `None` for SQL NULL.
type Span = Option<(u32, u32)>;

/// Rows as copied from the statement, newest first.
#[derive(Debug, Default)]
pub struct ColumnPage {
    text: String,
    cells: Vec<Span>,
    ints: Vec<[i64; INT_COLUMNS]>,
}

impl ColumnPage {
    pub fn with_capacity(rows: usize) -> ColumnPage {
        ColumnPage {
            // ~600 bytes of text per stored event.
            text: String::with_capacity(rows * 600),
            cells: Vec::with_capacity(rows * TEXT_COLUMNS),
            ints: Vec::with_capacity(rows),
        }
    }

    /// Appends a row: `cell(i)` is text column `i` (`None`: NULL), `ints`
    /// the integers (see `column_page_select`). Text that is not UTF-8 is
    /// refused rather than exported mangled.
    pub fn push_row<'c>(
        &mut self,
        mut cell: impl FnMut(usize) -> Option<&'c [u8]>,
        ints: [i64; INT_COLUMNS],
    ) -> Result<(), DbError> {
        let before = self.cells.len();
        for column in 0..TEXT_COLUMNS {
            let span = match cell(column) {
                None => None,
                Some(bytes) => match std::str::from_utf8(bytes) {
                    Ok(text) => Some(self.push_text(text)?),
                    Err(_) => {
                        self.cells.truncate(before);
                        return Err(DbError::Corrupt(format!(
                            "export column {column} holds text that is not UTF-8"
                        )));
                    }
                },
            };
            self.cells.push(span);
        }
        self.ints.push(ints);
        Ok(())
    }

    fn push_text(&mut self, text: &str) -> Result<(u32, u32), DbError> {
        let start = u32::try_from(self.text.len());
        let len = u32::try_from(text.len());
        let (Ok(start), Ok(len)) = (start, len) else {
            return Err(DbError::Corrupt("an export page above 4 GiB".into()));
        };
        self.text.push_str(text);
        Ok((start, len))
    }

    pub fn len(&self) -> usize {
        self.ints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ints.is_empty()
    }

    /// Row `index`, borrowing its text from the page.
    pub fn row(&self, index: usize) -> Result<ExportRow<'_>, DbError> {
        let cells = &self.cells[index * TEXT_COLUMNS..(index + 1) * TEXT_COLUMNS];
        let opt = |column: usize| {
            cells[column].map(|(start, len)| {
                let start = start as usize;
                Cow::Borrowed(&self.text[start..start + len as usize])
            })
        };
        let req = |column: usize| {
            opt(column).ok_or_else(|| {
                DbError::Corrupt(format!(
                    "export column {column} is NULL in a NOT NULL column"
                ))
            })
        };
        let [tenant_id, seq, occurred_us, received_us] = self.ints[index];
        Ok(ExportRow {
            id: req(0)?,
            tenant: req(1)?,
            tenant_id,
            seq,
            occurred_us,
            received_us,
            actor_id: req(2)?,
            actor_name: opt(3),
            actor_email: opt(4),
            actor_type: req(5)?,
            action: req(6)?,
            category: req(7)?,
            event_type: req(8)?,
            outcome: req(9)?,
            severity: req(10)?,
            resource_type: opt(11),
            resource_id: opt(12),
            resource_name: opt(13),
            targets: opt(14),
            ip: opt(15),
            user_agent: opt(16),
            request_id: opt(17),
            description: req(18)?,
            before: opt(19),
            after: opt(20),
            metadata: opt(21),
            prev_hash: req(22)?,
            hash: req(23)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(id: &'static str) -> impl FnMut(usize) -> Option<&'static [u8]> {
        move |column| match column {
            0 => Some(id.as_bytes()),
            19 => Some(b"{\"a\":1}"),
            3 | 4 | 11..=17 | 20 | 21 => None,
            _ => Some("caf\u{e9}".as_bytes()),
        }
    }

    #[test]
    fn rows_come_back_in_the_order_pushed_with_nulls_and_integers_in_place() {
        let mut page = ColumnPage::with_capacity(2);
        page.push_row(cells("01B"), [5, 2, 20, 21]).unwrap();
        page.push_row(cells("01A"), [5, 1, 10, 11]).unwrap();
        assert_eq!(page.len(), 2);
        let first = page.row(0).unwrap();
        assert_eq!(
            (
                first.id.as_ref(),
                first.tenant_id,
                first.seq,
                first.occurred_us
            ),
            ("01B", 5, 2, 20)
        );
        assert_eq!(first.actor_name, None);
        assert_eq!(first.before.as_deref(), Some("{\"a\":1}"));
        assert_eq!(first.description, "caf\u{e9}");
        let second = page.row(1).unwrap();
        assert_eq!((second.id.as_ref(), second.received_us), ("01A", 11));
        assert!(matches!(second.hash, Cow::Borrowed("caf\u{e9}")));
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_and_the_page_keeps_its_earlier_rows() {
        let mut page = ColumnPage::with_capacity(1);
        page.push_row(cells("01A"), [1, 1, 1, 1]).unwrap();
        let bad = |column: usize| Some(if column == 6 { &b"\xff"[..] } else { &b"x"[..] });
        assert!(page.push_row(bad, [2, 2, 2, 2]).is_err());
        assert_eq!(page.len(), 1);
        assert_eq!(page.row(0).unwrap().id, "01A");
    }

    #[test]
    fn a_null_in_a_required_column_is_an_error_not_an_empty_cell() {
        let mut page = ColumnPage::with_capacity(1);
        page.push_row(|column| (column != 6).then_some(&b"x"[..]), [1, 1, 1, 1])
            .unwrap();
        assert!(page.row(0).is_err());
    }
}
