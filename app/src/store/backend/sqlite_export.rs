//! SQLite export pages, read straight from the statement.
//!
//! Through sqlx every row's 27 values are copied into a row object on the
//! driver's thread and sent across to the caller; packing the row into JSON
//! first (as PostgreSQL does) moved that cost into SQLite's single thread.
//! Either way the export ran below the rate the database reads rows at. So
//! a page is read in two steps inside one read transaction (one snapshot):
//! sqlx runs the filter's SQL as it is, with its bound values, for the
//! page's rowids only; then the rows are read by rowid through SQLite's own
//! C interface on the same connection, each text cell copied once into a
//! `ColumnPage`.

#![allow(unsafe_code)] // SQLite's C interface: the reason this file exists.

use crate::model::Cursor;
use crate::store::{
    error::DbError,
    events::export_row::ExportPage,
    events::{
        columns::{column_page_select, INT_COLUMNS, TEXT_COLUMNS},
        export_columns::ColumnPage,
    },
};
use libsqlite3_sys as ffi;
use std::{ffi::CStr, os::raw::c_int, ptr::NonNull};
use tokio::runtime::{Handle, RuntimeFlavor};

/// The rows whose rowids `rowids` lists (see `ExportSelect::Rowids`; `count`
/// of them), read below `below`: an export page for `sql_store!`.
pub(super) async fn read_by_rowid(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    rowids: Option<String>,
    count: i64,
    below: Option<Cursor>,
) -> Result<ExportPage, DbError> {
    let Some(rowids) = rowids else {
        return Ok(ExportPage::columns(ColumnPage::default(), below));
    };
    let expected = usize::try_from(count).unwrap_or(0);
    let mut handle = tx.lock_handle().await?;
    let db = handle.as_raw_handle();
    // SAFETY: the handle stays locked (sqlx's worker does not touch the
    // connection) until `handle` drops, after the read has finished.
    let columns = blocking(|| unsafe { read_rows(db, &rowids, expected) })?;
    drop(handle);
    if columns.len() != expected {
        return Err(DbError::Corrupt(format!(
            "an export page found {expected} rows but read {}",
            columns.len()
        )));
    }
    Ok(ExportPage::columns(columns, below))
}

/// Runs `work` off the async runtime's turn when the runtime has other
/// worker threads to take over (a page takes milliseconds), in place
/// otherwise.
fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match Handle::try_current().map(|handle| handle.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

/// The rows whose rowids `rowids` lists (comma-joined), in that order:
/// `json_each` yields an array's elements in order and CROSS JOIN keeps it
/// the outer loop. `ExportPage::rows` checks the order all the same.
///
/// # Safety
/// `db` must be an open connection that nothing else uses meanwhile.
unsafe fn read_rows(
    db: NonNull<ffi::sqlite3>,
    rowids: &str,
    expected: usize,
) -> Result<ColumnPage, DbError> {
    let sql = format!(
        "SELECT {} FROM json_each('[' || ?1 || ']') AS j \
         CROSS JOIN events e CROSS JOIN tenants t \
         WHERE e.rowid = j.value AND t.id = e.tenant_id",
        column_page_select()
    );
    let mut statement = Statement::prepare(db, &sql)?;
    statement.bind_text(1, rowids)?;
    let mut page = ColumnPage::with_capacity(expected);
    while statement.step()? {
        let ints: [i64; INT_COLUMNS] = std::array::from_fn(|i| statement.int(TEXT_COLUMNS + i));
        page.push_row(|column| statement.text(column), ints)?;
    }
    Ok(page)
}

/// A prepared statement, finalized when dropped.
struct Statement {
    db: NonNull<ffi::sqlite3>,
    raw: NonNull<ffi::sqlite3_stmt>,
}

impl Statement {
    /// # Safety
    /// `db` must be an open connection that nothing else uses while the
    /// statement lives.
    unsafe fn prepare(db: NonNull<ffi::sqlite3>, sql: &str) -> Result<Statement, DbError> {
        let mut raw = std::ptr::null_mut();
        let len = c_int::try_from(sql.len()).map_err(|_| corrupt("statement too long"))?;
        let code = ffi::sqlite3_prepare_v2(
            db.as_ptr(),
            sql.as_ptr().cast(),
            len,
            &mut raw,
            std::ptr::null_mut(),
        );
        match NonNull::new(raw) {
            Some(raw) if code == ffi::SQLITE_OK => Ok(Statement { db, raw }),
            _ => Err(error(db)),
        }
    }

    /// Binds a copy of `text` (SQLITE_TRANSIENT) to parameter `index`.
    fn bind_text(&mut self, index: c_int, text: &str) -> Result<(), DbError> {
        let len = c_int::try_from(text.len()).map_err(|_| corrupt("bound text too long"))?;
        // SAFETY: the statement is live; SQLite copies the text before returning.
        let code = unsafe {
            ffi::sqlite3_bind_text(
                self.raw.as_ptr(),
                index,
                text.as_ptr().cast(),
                len,
                ffi::SQLITE_TRANSIENT(),
            )
        };
        match code {
            ffi::SQLITE_OK => Ok(()),
            _ => Err(error(self.db)),
        }
    }

    /// Moves to the next row: `false` once there is none.
    fn step(&mut self) -> Result<bool, DbError> {
        // SAFETY: the statement is live and only this thread uses it.
        match unsafe { ffi::sqlite3_step(self.raw.as_ptr()) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            _ => Err(error(self.db)),
        }
    }

    /// Column `column` of the current row as text bytes, `None` for NULL.
    /// The bytes stay valid until the next `step`, which needs `&mut self`.
    fn text(&self, column: usize) -> Option<&[u8]> {
        let column = column as c_int;
        // SAFETY: called on a row `step` returned; `sqlite3_column_bytes`
        // after `sqlite3_column_text` is the order SQLite documents.
        unsafe {
            if ffi::sqlite3_column_type(self.raw.as_ptr(), column) == ffi::SQLITE_NULL {
                return None;
            }
            let text = ffi::sqlite3_column_text(self.raw.as_ptr(), column);
            if text.is_null() {
                // Only zero-length text may come back as no pointer at all.
                return Some(&[]);
            }
            let len = ffi::sqlite3_column_bytes(self.raw.as_ptr(), column);
            Some(std::slice::from_raw_parts(text, len as usize))
        }
    }

    fn int(&self, column: usize) -> i64 {
        // SAFETY: called on a row `step` returned.
        unsafe { ffi::sqlite3_column_int64(self.raw.as_ptr(), column as c_int) }
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared here and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.raw.as_ptr()) };
    }
}

/// The connection's last error message.
fn error(db: NonNull<ffi::sqlite3>) -> DbError {
    // SAFETY: SQLite returns a NUL-terminated message owned by the connection.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
    DbError::Sqlite(format!(
        "reading an export page: {}",
        message.to_string_lossy()
    ))
}

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(format!("reading an export page: {what}"))
}
