//! Exports in flight (and lately finished), by the id the browser chose, so
//! the page can show rows written so far and cancel.

use super::Progress;
use crate::model::ExportState;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

type Jobs = HashMap<String, (i64, Arc<Progress>)>;

#[derive(Clone, Default)]
pub struct ExportJobs(Arc<Mutex<Jobs>>);

impl ExportJobs {
    /// Registers a job for `account`. Finished jobs are dropped once there
    /// are many, so the map never grows without bound.
    pub fn start(&self, job: &str, account: i64) -> Arc<Progress> {
        let progress = Arc::new(Progress::default());
        let mut jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if jobs.len() > 200 {
            jobs.retain(|_, (_, p)| p.status().state == ExportState::Running);
        }
        jobs.insert(job.to_string(), (account, progress.clone()));
        progress
    }

    /// The job, only for the account that started it.
    pub fn get(&self, job: &str, account: i64) -> Option<Arc<Progress>> {
        let jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(job)
            .filter(|(owner, _)| *owner == account)
            .map(|(_, p)| p.clone())
    }
}
