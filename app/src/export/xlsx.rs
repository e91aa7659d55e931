//! Excel: rows stream into constant-memory worksheets (a new sheet every
//! 1,048,575 rows, Excel's limit), then the workbook is zipped straight into
//! the response. An "About" sheet says what was exported and how it is split.

use super::{
    cells::{cells, neutralize, Cell, COLUMNS},
    run::{Chunk, ExportError},
};
use crate::store::ExportPage;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use std::io::Write;
use tokio::sync::mpsc;

/// Data rows per sheet: Excel's 1,048,576 rows less the heading.
pub const ROWS_PER_SHEET: u32 = 1_048_575;
/// Excel refuses longer text in one cell.
const MAX_CELL_CHARS: usize = 32_767;

impl From<XlsxError> for ExportError {
    fn from(err: XlsxError) -> Self {
        ExportError::Xlsx(err.to_string())
    }
}

/// What the About sheet states besides the counts.
pub(super) struct About {
    pub title: String,
    pub filter: String,
    pub exported_at: String,
}

/// Runs on a blocking thread: takes pages from `pages` until it closes.
pub(super) fn write(
    mut pages: mpsc::Receiver<ExportPage>,
    out: mpsc::Sender<Chunk>,
    about: About,
    rows_per_sheet: u32,
) -> Result<u64, ExportError> {
    let mut book = Workbook::new();
    book.add_worksheet().set_name("About")?;
    let bold = Format::new().set_bold();
    let (mut sheets, mut row, mut total) = (0usize, rows_per_sheet, 0u64);
    let add_sheet = |book: &mut Workbook, sheets: &mut usize| -> Result<(), XlsxError> {
        *sheets += 1;
        let sheet = book.add_worksheet_with_constant_memory()?;
        sheet.set_name(format!("Events {sheets}"))?;
        for (col, name) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *name, &bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    };
    while let Some(page) = pages.blocking_recv() {
        for event in page.rows() {
            let event = &event?;
            if row >= rows_per_sheet {
                add_sheet(&mut book, &mut sheets)?;
                row = 0;
            }
            row += 1;
            let sheet = book.worksheet_from_index(sheets)?;
            for (col, cell) in cells(event).into_iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(row, col, clip(&neutralize(t)))?;
                    }
                    Cell::Owned(t) => {
                        sheet.write_string(row, col, clip(&neutralize(&t)))?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(row, col, n as f64)?;
                    }
                    Cell::Empty => {}
                }
            }
            total += 1;
        }
    }
    if sheets == 0 {
        add_sheet(&mut book, &mut sheets)?;
    }
    let about_sheet = book.worksheet_from_index(0)?;
    let split = if sheets > 1 {
        format!(
            "Split across sheets Events 1 to Events {sheets}: Excel holds at most {rows_per_sheet} rows per sheet (plus the heading)."
        )
    } else {
        "All rows are on the sheet Events 1.".to_string()
    };
    let lines = [
        ("Export", about.title.as_str()),
        ("Filter", about.filter.as_str()),
        ("Exported at (UTC)", about.exported_at.as_str()),
        ("Rows", &total.to_string()),
        ("Sheets", &split),
        (
            "Note",
            "Cells that began with = + - @ or a tab start with ' so that they show as text.",
        ),
    ];
    for (i, (name, value)) in lines.iter().enumerate() {
        about_sheet.write_string_with_format(i as u32, 0, *name, &bold)?;
        about_sheet.write_string(i as u32, 1, *value)?;
    }
    about_sheet.set_column_width(0, 20)?;
    about_sheet.set_column_width(1, 100)?;
    book.save_to_writer(ChunkWriter {
        out,
        buf: Vec::with_capacity(CHUNK),
    })?;
    Ok(total)
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CELL_CHARS {
        return text.to_string();
    }
    let note = "…[cut: Excel holds 32,767 characters per cell; the JSON export has it all]";
    let keep = MAX_CELL_CHARS - note.chars().count();
    text.chars().take(keep).chain(note.chars()).collect()
}

const CHUNK: usize = 64 * 1024;

/// Hands the zipped workbook to the response in 64 KiB chunks.
struct ChunkWriter {
    out: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.out
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl Drop for ChunkWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
