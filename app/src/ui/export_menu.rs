//! One click exports exactly what the table shows; a line follows the
//! download's progress (rows written so far) and can cancel it.

use crate::{
    api::{cancel_export, export_progress},
    model::{EventFilter, ExportFormat, ExportState, ExportStatus},
};
use leptos::prelude::*;

/// Where an export started from this page stands.
#[derive(Clone, Debug, PartialEq)]
struct Running {
    job: String,
    format: ExportFormat,
    status: Option<ExportStatus>,
}

/// The download URL: the same filter parameters the table's URL carries.
pub fn export_href(filter: &EventFilter, format: ExportFormat, job: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filter.to_params() {
        query.append_pair(&name, &value);
    }
    query.append_pair("job", job);
    format!("/api/exports/{}?{}", format.as_str(), query.finish())
}

/// NDJSON that ends with a signed proof, for `logbook verify --file`.
pub(super) fn proof_href(filter: &EventFilter, job: &str) -> String {
    format!("{}&proof=1", export_href(filter, ExportFormat::Ndjson, job))
}

#[component]
pub fn ExportMenu(filter: EventFilter) -> impl IntoView {
    let running = RwSignal::new(None::<Running>);
    let filter = StoredValue::new(filter);
    let start = move |format: ExportFormat, proof: bool| {
        let job = new_job_id();
        running.set(Some(Running {
            job: job.clone(),
            format,
            status: None,
        }));
        let href = if proof {
            proof_href(&filter.get_value(), &job)
        } else {
            export_href(&filter.get_value(), format, &job)
        };
        crate::hard_navigate(&href);
        follow(running, job);
    };
    // A proof covers one tenant's chain, so it needs a tenant chosen.
    let one_tenant = filter.with_value(|f| f.tenant.is_some());
    let line = move || {
        running.get().map(|r| {
            let rows = r.status.map_or(0, |s| s.rows);
            let state = r.status.map_or(ExportState::Running, |s| s.state);
            let label = r.format.label();
            let job = r.job.clone();
            match state {
                ExportState::Running => view! {
                    <span class="export-status" role="status">
                        {format!("Exporting {label}… {} rows written", thousands(rows))}
                    </span>
                    <button type="button" class="link-button" on:click=move |_| {
                        let job = job.clone();
                        leptos::task::spawn_local(async move { let _ = cancel_export(job).await; });
                    }>"Cancel"</button>
                }
                .into_any(),
                ExportState::Done => view! {
                    <span class="export-status done" role="status">{format!("Exported {} rows as {label}.", thousands(rows))}</span>
                }
                .into_any(),
                ExportState::Cancelled => view! {
                    <span class="export-status" role="status">{format!("Export cancelled after {} rows.", thousands(rows))}</span>
                }
                .into_any(),
                ExportState::Failed => view! {
                    <span class="export-status failed" role="alert">{format!("The export stopped after {} rows.", thousands(rows))}</span>
                }
                .into_any(),
            }
        })
    };
    view! {
        <div class="export-menu">
            <span class="muted">"Export"</span>
            {ExportFormat::ALL.iter().map(move |format| {
                let format = *format;
                view! {
                    <button type="button" data-format=format.as_str() on:click=move |_| start(format, false)>
                        {format.label()}
                    </button>
                }
            }).collect_view()}
            <button
                type="button"
                data-format="ndjson-proof"
                disabled=!one_tenant
                title=if one_tenant {
                    "NDJSON ending with a signed checkpoint: check it offline with logbook verify --file"
                } else {
                    "Choose a tenant first: a proof covers one tenant's chain"
                }
                on:click=move |_| start(ExportFormat::Ndjson, true)
            >
                "NDJSON + proof"
            </button>
            {line}
        </div>
    }
}

/// Polls the export's progress twice a second until it ends.
fn follow(running: RwSignal<Option<Running>>, job: String) {
    leptos::task::spawn_local(async move {
        // The download request may reach the server a moment after the first poll.
        let mut misses = 0;
        loop {
            sleep_ms(500).await;
            if running.get_untracked().is_none_or(|r| r.job != job) {
                return;
            }
            match export_progress(job.clone()).await {
                Ok(status) => {
                    running.update(|r| {
                        if let Some(r) = r {
                            r.status = Some(status);
                        }
                    });
                    if status.state != ExportState::Running {
                        return;
                    }
                }
                Err(_) if misses < 20 => misses += 1,
                Err(_) => return,
            }
        }
    });
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn new_job_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        (0..20)
            .map(|_| {
                let n = (js_sys::Math::random() * 36.0) as u32;
                char::from_digit(n.min(35), 36).unwrap_or('0')
            })
            .collect()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::new()
    }
}

async fn sleep_ms(ms: u64) {
    #[cfg(feature = "hydrate")]
    {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        set_timeout(
            move || {
                let _ = tx.send(());
            },
            std::time::Duration::from_millis(ms),
        );
        let _ = rx.await;
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}
