//! CSV, JSON and NDJSON: encoded a page at a time, so memory stays flat.

use super::cells::{cells, neutralize, write_json, Cell, COLUMNS};
use super::ExportError;
use crate::{
    model::ExportFormat,
    store::{DbError, ExportRow},
};

/// Encodes one export as a sequence of chunks: `begin`, `page`…, `end`.
pub(super) struct TextEncoder {
    format: ExportFormat,
    first: bool,
}

impl TextEncoder {
    /// `None` for formats that are not text (xlsx).
    pub(super) fn new(format: ExportFormat) -> Option<TextEncoder> {
        (format != ExportFormat::Xlsx).then_some(TextEncoder {
            format,
            first: true,
        })
    }

    pub(super) fn begin(&self) -> Vec<u8> {
        match self.format {
            // A byte-order mark, so spreadsheet programs read the file as UTF-8.
            ExportFormat::Csv => {
                let mut out = "\u{feff}".as_bytes().to_vec();
                let mut w = csv::Writer::from_writer(&mut out);
                let _ = w.write_record(COLUMNS);
                drop(w);
                out
            }
            ExportFormat::Json => b"[".to_vec(),
            ExportFormat::Ndjson | ExportFormat::Xlsx => Vec::new(),
        }
    }

    /// Encodes a page's rows as they come; `check` sees each row first and
    /// may stop the export.
    pub(super) fn page<'p>(
        &mut self,
        rows: impl Iterator<Item = Result<ExportRow<'p>, DbError>>,
        capacity: usize,
        mut check: impl FnMut(&ExportRow<'p>) -> Result<(), ExportError>,
    ) -> Result<Vec<u8>, ExportError> {
        let mut out = Vec::with_capacity(capacity * 700);
        let rows = rows.map(|e| {
            let e = e?;
            check(&e)?;
            Ok::<_, ExportError>(e)
        });
        match self.format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut out);
                for e in rows {
                    csv_row(&mut w, &e?).map_err(std::io::Error::from)?;
                }
                w.flush()?;
            }
            ExportFormat::Json => {
                for e in rows {
                    let e = e?;
                    out.extend_from_slice(if self.first { b"\n" } else { b",\n" });
                    self.first = false;
                    write_json(&mut out, &e);
                }
            }
            ExportFormat::Ndjson => {
                for e in rows {
                    write_json(&mut out, &e?);
                    out.push(b'\n');
                }
            }
            ExportFormat::Xlsx => {}
        }
        Ok(out)
    }

    /// Proof lines (NDJSON, see `integrity::proof`) in this format: as they
    /// are, or as further elements of the JSON array, one per line.
    pub(super) fn lines(&mut self, ndjson: Vec<u8>) -> Vec<u8> {
        if self.format != ExportFormat::Json {
            return ndjson;
        }
        let mut out = Vec::with_capacity(ndjson.len() + 64);
        for line in ndjson.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            out.extend_from_slice(if self.first { b"\n" } else { b",\n" });
            self.first = false;
            out.extend_from_slice(line);
        }
        out
    }

    pub(super) fn end(&self) -> Vec<u8> {
        match self.format {
            ExportFormat::Json if self.first => b"]\n".to_vec(),
            ExportFormat::Json => b"\n]\n".to_vec(),
            _ => Vec::new(),
        }
    }
}

fn csv_row<W: std::io::Write>(w: &mut csv::Writer<W>, e: &ExportRow) -> csv::Result<()> {
    for cell in cells(e) {
        match cell {
            Cell::Text(t) => w.write_field(neutralize(t).as_bytes())?,
            Cell::Owned(t) => w.write_field(neutralize(&t).as_bytes())?,
            Cell::Number(n) => w.write_field(n.to_string())?,
            Cell::Empty => w.write_field([])?,
        }
    }
    w.write_record(None::<&[u8]>)
}
