//! Integrity: the signing key's public half, each tenant's chain and latest
//! signed checkpoint, Verify for anyone who reads logs, Sign now for admins.

use crate::{
    api::{load_integrity, SignCheckpoint, VerifyChain},
    model::{CheckpointInfo, TenantIntegrity},
    ui::{ErrorNotice, LocalTime},
};
use leptos::prelude::*;

#[component]
pub fn IntegrityPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_integrity());
    view! {
        <section class="integrity">
            <h1>"Integrity"</h1>
            <p class="lead">
                "Every event carries the hash of the one before it, and Logbook signs each tenant's "
                "latest hash every hour. Verifying recomputes each hash from the stored fields, checks "
                "every signed checkpoint, and names the first event that was changed, removed or reordered."
            </p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            let can_sign = overview.can_sign;
                            view! {
                                <PublicKeyPanel key=overview.public_key/>
                                <table class="chains">
                                    <thead><tr>
                                        <th scope="col">"Tenant"</th>
                                        <th scope="col">"Chain"</th>
                                        <th scope="col">"Latest checkpoint"</th>
                                        <th scope="col">"Verification"</th>
                                        <th></th>
                                    </tr></thead>
                                    <tbody>
                                        {overview.tenants.into_iter()
                                            .map(|row| view! { <ChainRow row can_sign/> })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The key an auditor needs to check an exported file with no server.
#[component]
fn PublicKeyPanel(key: String) -> impl IntoView {
    let command = format!("logbook verify --file export.ndjson --public-key {key}");
    view! {
        <div class="public-key">
            <h2>"Checkpoint signing key (Ed25519, public)"</h2>
            <code class="key" data-testid="public-key">{key}</code>
            <p class="muted">
                "Exports in NDJSON with a proof can be checked offline against this key:"
            </p>
            <pre><code>{command}</code></pre>
        </div>
    }
}

#[component]
fn ChainRow(row: TenantIntegrity, can_sign: bool) -> impl IntoView {
    let verify = ServerAction::<VerifyChain>::new();
    let sign = ServerAction::<SignCheckpoint>::new();
    let latest = RwSignal::new(row.latest.clone());
    Effect::new(move |_| {
        if let Some(Ok(Some(signed))) = sign.value().get() {
            latest.set(Some(signed));
        }
    });
    let slug = row.tenant.slug.clone();
    let status = move || {
        match verify.value().get() {
        None if verify.pending().get() => {
            view! { <span class="muted">"Verifying…"</span> }.into_any()
        }
        None => view! { <span class="muted">"Not checked yet"</span> }.into_any(),
        Some(Ok(report)) => match report.problem {
            None => view! {
                <span class="chain-ok">
                    "Intact: "{report.events}" events, "{report.checkpoints}" checkpoints matched, "{report.unsigned_tail}" since the last"
                </span>
                <code class="hash">{report.head_hash}</code>
            }
            .into_any(),
            Some(problem) => {
                view! { <span class="chain-broken" role="alert">"Broken: "{problem}</span> }
                    .into_any()
            }
        },
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
    }
    };
    let sign_result = move || match sign.value().get() {
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        Some(Ok(None)) => {
            view! { <span class="muted">"Nothing to sign: no events yet"</span> }.into_any()
        }
        _ => ().into_any(),
    };
    let (verify_slug, sign_slug) = (slug.clone(), slug.clone());
    let chain = if row.cut_seq > 0 {
        format!(
            "#{} to #{} (older events expired)",
            row.cut_seq + 1,
            row.head_seq
        )
    } else {
        format!("#1 to #{}", row.head_seq)
    };
    view! {
        <tr data-tenant=slug>
            <th scope="row">{row.tenant.name}<span class="muted">" · "{row.tenant.slug}</span></th>
            <td>{chain}</td>
            <td class="checkpoint">{move || checkpoint_cell(latest.get())}{sign_result}</td>
            <td class="status">{status}</td>
            <td class="actions">
                <button
                    type="button"
                    disabled=move || verify.pending().get()
                    on:click=move |_| { verify.dispatch(VerifyChain { tenant: verify_slug.clone() }); }
                >
                    "Verify"
                </button>
                {can_sign.then(|| view! {
                    <button
                        type="button"
                        class="secondary"
                        disabled=move || sign.pending().get()
                        on:click=move |_| { sign.dispatch(SignCheckpoint { tenant: sign_slug.clone() }); }
                    >
                        "Sign now"
                    </button>
                })}
            </td>
        </tr>
    }
}

fn checkpoint_cell(latest: Option<CheckpointInfo>) -> AnyView {
    match latest {
        None => view! { <span class="muted">"None yet"</span> }.into_any(),
        Some(cp) => {
            let at = chrono::DateTime::from_timestamp_micros(cp.signed_us).unwrap_or_default();
            view! {
                <span>"#"{cp.seq}" · "{cp.reason}" · "<LocalTime at/></span>
                <code class="hash">{cp.hash}</code>
            }
            .into_any()
        }
    }
}
