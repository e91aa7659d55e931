//! Following and cancelling a download in progress. The download itself is a
//! streaming route on the server (`/api/exports/{format}`), not a server function.

use crate::{error::AppError, model::ExportStatus};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
fn job_of(job: &str) -> Result<std::sync::Arc<crate::export::Progress>, AppError> {
    let jobs = use_context::<crate::export::ExportJobs>()
        .ok_or_else(|| AppError::Internal("no-export-jobs".into()))?;
    let member = super::access::request_auth()
        .member()
        .cloned()
        .ok_or_else(|| super::access::fail(AppError::Unauthorized))?;
    // Only the person who started an export can follow or cancel it.
    jobs.get(job, member.account_id())
        .ok_or_else(|| super::access::fail(AppError::NotFound))
}

#[server(prefix = "/api", endpoint = "exports/progress", input = Json)]
pub async fn export_progress(job: String) -> Result<ExportStatus, AppError> {
    super::access::require(crate::model::Permission::Export, "export").await?;
    Ok(job_of(&job)?.status())
}

#[server(prefix = "/api", endpoint = "exports/cancel", input = Json)]
pub async fn cancel_export(job: String) -> Result<(), AppError> {
    super::access::require(crate::model::Permission::Export, "export").await?;
    job_of(&job)?.cancel();
    Ok(())
}
