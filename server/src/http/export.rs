//! Streaming exports: `GET /api/exports/{format}?<filter>&job=<id>` for the
//! dashboard (session, export permission) and `GET /api/v1/events/export?format=…`
//! for automation (API key, its tenant). Both stream with flat memory and
//! record in Logbook's own log who exported what, how many rows, and whether
//! it completed.

use super::{
    access::{Export, Require, SignedIn},
    params::Params,
    ApiError, AppState,
};
use crate::ingest::authenticate_key;
use app::{
    auth::Entry,
    export::{describe, Chunk, ExportError, ExportJob, Progress, ProofRequest},
    model::{export_file_name, EventFilter, ExportFormat, ExportState, KeyScope, Outcome},
    store::TenantScope,
};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
};
use std::{collections::HashMap, sync::Arc};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// The dashboard's download: the caller's own scope, their export permission.
pub(super) async fn dashboard_export(
    State(state): State<AppState>,
    Require { signed_in, .. }: Require<Export>,
    Path(format): Path<String>,
    Params(params): Params,
) -> Result<Response, ApiError> {
    let SignedIn { member, client, .. } = signed_in;
    let (format, filter) = parse(&format, &params).map_err(ApiError::bad_request)?;
    let slot = export_slot(&state, &format!("account:{}", member.account_id()))?;
    let progress = match params.get("job").filter(|j| valid_job(j)) {
        Some(job) => state.exports.start(job, member.account_id()),
        None => Arc::new(Progress::default()),
    };
    let entry = Entry::new("log.exported", "exported", "")
        .by(&member)
        .from_client(&client);
    let job = job(&state, member.scope(), filter, format, &params).await?;
    Ok(stream(&state, job, progress, entry, slot))
}

/// One of the few export slots of this account or key, or a 429.
pub(super) fn export_slot(state: &AppState, key: &str) -> Result<app::guard::Slot, ApiError> {
    state.limiters.exports.take(key).ok_or_else(|| {
        ApiError::too_many_requests(format!(
            "at most {} exports run at once for one account or key; wait for one to finish",
            state.limiters.exports.per_key()
        ))
    })
}

/// The same export over the API, for automation: the key's tenant only.
pub(super) async fn api_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(params): Params,
) -> Result<Response, ApiError> {
    let (settings, key) = authenticate_key(&*state.store, &headers, KeyScope::Export).await?;
    let format = params
        .get("format")
        .cloned()
        .unwrap_or_else(|| "ndjson".into());
    let (format, filter) = parse(&format, &params).map_err(ApiError::bad_request)?;
    let slot = export_slot(&state, &format!("key:{}", key.prefix))?;
    let entry = Entry::new("log.exported", "exported", "").by_api_key(&key.prefix, &key.name);
    let progress = Arc::new(Progress::default());
    let scope = TenantScope::tenant(settings.tenant.id);
    let job = job(&state, scope, filter, format, &params).await?;
    Ok(stream(&state, job, progress, entry, slot))
}

/// The export to run; with `proof=1`, an NDJSON export of one visible tenant
/// that ends with a signed proof for `logbook verify --file`.
async fn job(
    state: &AppState,
    scope: TenantScope,
    mut filter: EventFilter,
    format: ExportFormat,
    params: &HashMap<String, String>,
) -> Result<ExportJob, ApiError> {
    let wants_proof = match params.get("proof").map(|v| v.trim()) {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        // Not silently a plain export: the caller asked for something.
        Some(_) => {
            return Err(ApiError::bad_request(
                "proof is 1 (or true) or 0 (or false)",
            ))
        }
    };
    let plain = ExportJob::new(state.store.clone(), scope.clone(), filter.clone(), format);
    if !wants_proof {
        return Ok(plain);
    }
    let bad = |message: &str| ApiError::bad_request(message);
    if !matches!(format, ExportFormat::Ndjson | ExportFormat::Json) {
        return Err(bad(
            "only JSON and NDJSON exports carry a proof: use format json or ndjson with proof=1",
        ));
    }
    let visible = state.store.list_tenants(&scope).await?;
    let tenant = match (&filter.tenant, scope.tenant_id()) {
        (Some(slug), _) => visible.into_iter().find(|t| &t.slug == slug),
        (None, Some(id)) => visible.into_iter().find(|t| t.id == id),
        (None, None) => {
            return Err(bad("a proof covers one tenant's chain: choose a tenant"));
        }
    };
    let Some(tenant) = tenant else {
        return Err(ApiError::forbidden("that tenant is not visible to you"));
    };
    filter.tenant = Some(tenant.slug.clone());
    let proof = ProofRequest {
        tenant,
        signer: state.signer.clone(),
    };
    ExportJob::new(state.store.clone(), scope, filter, format)
        .with_proof(proof)
        .map_err(|e| bad(&e.to_string()))
}

fn valid_job(job: &str) -> bool {
    (1..=40).contains(&job.len()) && job.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The format and filter, or why they do not parse.
fn parse(
    format: &str,
    params: &HashMap<String, String>,
) -> Result<(ExportFormat, EventFilter), String> {
    let format: ExportFormat = format
        .parse()
        .map_err(|e: app::model::ParseEnumError| e.to_string())?;
    let filter =
        EventFilter::from_params(|name| params.get(name).cloned()).map_err(|e| e.to_string())?;
    Ok((format, filter))
}

/// Starts the export in the background and answers with its stream.
pub(super) fn stream(
    state: &AppState,
    job: ExportJob,
    progress: Arc<Progress>,
    entry: Entry,
    slot: app::guard::Slot,
) -> Response {
    let format = job.format;
    let file_name = export_file_name(&job.filter, format);
    let summary = describe(&job.filter);
    let (out, body) = mpsc::channel::<Chunk>(8);
    let store = state.store.clone();
    let logged_name = file_name.clone();
    let proof = job.proof.is_some();
    tokio::spawn(async move {
        // The slot is freed when the export ends, however it ends.
        let _slot = slot;
        let result = job.run(out.clone(), &progress).await;
        let rows = progress.status().rows;
        let (state, outcome, note) = match &result {
            Ok(_) => (ExportState::Done, Outcome::Success, "completed".to_string()),
            Err(ExportError::Cancelled) => {
                (ExportState::Cancelled, Outcome::Failure, "cancelled".into())
            }
            Err(err) => (
                ExportState::Failed,
                Outcome::Failure,
                format!("stopped: {err}"),
            ),
        };
        if let Err(err) = &result {
            // Ends the download with an error, so a cut file is never mistaken for a whole one.
            let _ = out.send(Err(std::io::Error::other(err.to_string()))).await;
            if !matches!(err, ExportError::Cancelled | ExportError::ClientGone) {
                tracing::error!(error = %err, "export failed");
            }
        }
        progress.finish(state);
        let description = format!(
            "Exported {rows} events as {} ({summary}), {note}",
            format.label()
        );
        let entry = entry
            .described(description)
            .outcome(outcome)
            .metadata(serde_json::json!({
                "format": format.as_str(),
                "filter": summary,
                "rows": rows,
                "completed": result.is_ok(),
                "file": logged_name,
                "proof": proof,
            }));
        if let Err(err) = entry.record(&*store).await {
            tracing::error!(error = %err, "could not record an export in the self-log");
        }
    });
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = Body::from_stream(ReceiverStream::new(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
