//! Running one export: pages through the store with the caller's scope and
//! filter, encodes as it goes, and hands chunks to a bounded channel whose
//! other end is the HTTP response, so memory stays flat at any size.

use super::{text::TextEncoder, xlsx};
use crate::integrity::ProofBuilder;
use crate::{
    model::{Cursor, EventFilter, ExportFormat, ExportState, ExportStatus},
    store::{DbError, ExportPage, Store, TenantScope},
};
use std::sync::{
    atomic::{AtomicBool, AtomicU64, Ordering},
    Arc, Mutex,
};
use tokio::sync::mpsc;

/// Rows per database round trip.
const BATCH: u32 = 2_000;

/// A piece of the file, or the error that ends the download.
pub type Chunk = Result<Vec<u8>, std::io::Error>;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] DbError),
    #[error("cancelled")]
    Cancelled,
    /// The browser or client stopped reading.
    #[error("the client went away")]
    ClientGone,
    #[error("encoding failed: {0}")]
    Encode(#[from] std::io::Error),
    #[error("excel: {0}")]
    Xlsx(String),
    #[error("only JSON and NDJSON exports carry a proof")]
    ProofFormat,
    #[error("the export holds an event of another tenant than its proof")]
    ProofTenant,
}

/// Rows written so far and whether to stop: shared with whoever shows or
/// cancels the export.
#[derive(Debug)]
pub struct Progress {
    rows: AtomicU64,
    cancelled: AtomicBool,
    state: Mutex<ExportState>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            rows: AtomicU64::new(0),
            cancelled: AtomicBool::new(false),
            state: Mutex::new(ExportState::Running),
        }
    }
}

impl Progress {
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    pub fn status(&self) -> ExportStatus {
        ExportStatus {
            rows: self.rows.load(Ordering::Relaxed),
            state: *self.state.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    pub fn finish(&self, state: ExportState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    fn add(&self, rows: usize) {
        self.rows.fetch_add(rows as u64, Ordering::Relaxed);
    }
}

/// What to export and for whom.
pub struct ExportJob {
    pub store: Arc<dyn Store>,
    pub scope: TenantScope,
    pub filter: EventFilter,
    pub format: ExportFormat,
    /// Rows per Excel sheet (Excel's limit; lower only in tests).
    pub rows_per_sheet: u32,
    /// Append a signed proof (JSON or NDJSON of one tenant only).
    pub proof: Option<ProofRequest>,
}

/// Whose chain the proof covers, and the key that signs its checkpoint.
#[derive(Clone, Debug)]
pub struct ProofRequest {
    pub tenant: crate::model::Tenant,
    pub signer: Arc<crate::store::Signer>,
}

impl ExportJob {
    pub fn new(
        store: Arc<dyn Store>,
        scope: TenantScope,
        filter: EventFilter,
        format: ExportFormat,
    ) -> Self {
        ExportJob {
            store,
            scope,
            // One window for the whole file, however long it takes to write.
            filter: filter.pinned(chrono::Utc::now()),
            format,
            rows_per_sheet: xlsx::ROWS_PER_SHEET,
            proof: None,
        }
    }

    /// Adds a proof for offline verification; JSON and NDJSON carry one.
    pub fn with_proof(mut self, proof: ProofRequest) -> Result<Self, ExportError> {
        if !matches!(self.format, ExportFormat::Ndjson | ExportFormat::Json) {
            return Err(ExportError::ProofFormat);
        }
        self.proof = Some(proof);
        Ok(self)
    }

    /// Writes the whole export into `out`; returns the number of rows.
    pub async fn run(
        self,
        out: mpsc::Sender<Chunk>,
        progress: &Progress,
    ) -> Result<u64, ExportError> {
        match TextEncoder::new(self.format) {
            Some(encoder) => self.run_text(encoder, out, progress).await,
            None => self.run_xlsx(out, progress).await,
        }
    }

    async fn run_text(
        &self,
        mut encoder: TextEncoder,
        out: mpsc::Sender<Chunk>,
        progress: &Progress,
    ) -> Result<u64, ExportError> {
        let send = |chunk: Vec<u8>| {
            let out = out.clone();
            async move {
                out.send(Ok(chunk))
                    .await
                    .map_err(|_| ExportError::ClientGone)
            }
        };
        let mut proof = self
            .proof
            .as_ref()
            .map(|p| ProofBuilder::new(p.tenant.clone()));
        send(encoder.begin()).await?;
        if let Some(proof) = &proof {
            send(encoder.lines(proof.begin_line())).await?;
        }
        let mut rows = 0u64;
        let mut batches = Prefetch::start(self);
        while let Some(page) = batches.next(progress).await? {
            let chunk = encoder.page(page.rows(), page.len(), |row| {
                if let Some(proof) = &mut proof {
                    if row.tenant != proof.tenant().slug {
                        return Err(ExportError::ProofTenant);
                    }
                    proof.saw(row.seq);
                }
                Ok(())
            })?;
            send(chunk).await?;
            rows += page.len() as u64;
            progress.add(page.len());
        }
        if let (Some(proof), Some(request)) = (proof, &self.proof) {
            let mut lines = proof.seal(&*self.store, &request.signer).await?;
            while let Some(chunk) = lines.next(&*self.store).await? {
                if progress.is_cancelled() {
                    return Err(ExportError::Cancelled);
                }
                send(encoder.lines(chunk)).await?;
            }
        }
        send(encoder.end()).await?;
        Ok(rows)
    }

    async fn run_xlsx(
        &self,
        out: mpsc::Sender<Chunk>,
        progress: &Progress,
    ) -> Result<u64, ExportError> {
        let (pages, receiver) = mpsc::channel(2);
        let about = xlsx::About {
            title: crate::model::export_file_name(&self.filter, self.format),
            filter: describe(&self.filter),
            exported_at: super::cells::iso(chrono::Utc::now()),
        };
        let per_sheet = self.rows_per_sheet;
        let writer =
            tokio::task::spawn_blocking(move || xlsx::write(receiver, out, about, per_sheet));
        let mut batches = Prefetch::start(self);
        let fetched: Result<(), ExportError> = async {
            while let Some(batch) = batches.next(progress).await? {
                let n = batch.len();
                if pages.send(batch).await.is_err() {
                    return Err(ExportError::ClientGone);
                }
                progress.add(n);
            }
            Ok(())
        }
        .await;
        drop(pages);
        let written = writer.await.map_err(|e| ExportError::Xlsx(e.to_string()))?;
        fetched?;
        written
    }
}

/// Pages read ahead on their own task, so the database and the encoder work
/// at the same time (the two cores of a small machine, both busy). The task
/// only reads: rows are parsed where they are encoded, and the next page's
/// cursor comes from the page's last row alone.
struct Prefetch(mpsc::Receiver<Result<ExportPage, DbError>>);

impl Prefetch {
    fn start(job: &ExportJob) -> Prefetch {
        let (tx, rx) = mpsc::channel(2);
        let (store, scope, filter) = (job.store.clone(), job.scope.clone(), job.filter.clone());
        tokio::spawn(async move {
            let mut cursor: Option<Cursor> = None;
            loop {
                let batch = store
                    .export_page(&scope, &filter, cursor.as_ref(), BATCH)
                    .await;
                let (batch, next) = match batch {
                    Ok(page) if page.is_empty() => return,
                    Ok(page) => match page.cursor() {
                        Ok(next) => (Ok(page), next),
                        Err(err) => (Err(err), None),
                    },
                    Err(err) => (Err(err), None),
                };
                let failed = batch.is_err();
                // A closed channel means the export stopped: stop reading too.
                if tx.send(batch).await.is_err() || failed {
                    return;
                }
                cursor = next;
            }
        });
        Prefetch(rx)
    }

    /// The next batch, or `None` once every row has been read.
    async fn next(&mut self, progress: &Progress) -> Result<Option<ExportPage>, ExportError> {
        if progress.is_cancelled() {
            return Err(ExportError::Cancelled);
        }
        match self.0.recv().await {
            None => Ok(None),
            Some(batch) => Ok(Some(batch?)),
        }
    }
}

/// The filter in the query bar's words, for the file's About sheet and
/// Logbook's own log.
pub fn describe(filter: &EventFilter) -> String {
    let query = filter.to_query();
    if query.is_empty() {
        "everything visible".into()
    } else {
        query
    }
}
