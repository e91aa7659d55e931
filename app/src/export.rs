//! Exports of exactly what a filter shows, in CSV, Excel, JSON or NDJSON,
//! streamed at any size with flat memory.

mod cells;
mod jobs;
mod run;
mod text;
mod xlsx;

pub use cells::{neutralize, COLUMNS};
pub use jobs::ExportJobs;
pub use run::{describe, Chunk, ExportError, ExportJob, Progress, ProofRequest};
pub use xlsx::ROWS_PER_SHEET;
