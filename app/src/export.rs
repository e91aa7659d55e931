//! Exports of exactly what a filter shows, in CSV, Excel, JSON or NDJSON,
//! streamed at any size with flat memory.

mod api_page;
mod cells;
mod jobs;
mod run;
mod text;
mod xlsx;

pub use api_page::{event_json, read_page, windowed, ApiCursor, DEFAULT_LIMIT, MAX_LIMIT};
pub use cells::{neutralize, COLUMNS};
pub use jobs::ExportJobs;
pub use run::{describe, Chunk, ExportError, ExportJob, Progress, ProofRequest};
pub use xlsx::ROWS_PER_SHEET;
