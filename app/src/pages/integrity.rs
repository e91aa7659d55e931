//! Integrity: verify each tenant's hash chain on demand.

use crate::{
    api::{list_tenants, VerifyChain},
    model::Tenant,
    ui::ErrorNotice,
};
use leptos::prelude::*;

#[component]
pub fn IntegrityPage() -> impl IntoView {
    let tenants = Resource::new(|| (), |_| list_tenants());
    view! {
        <section class="integrity">
            <h1>"Integrity"</h1>
            <p class="lead">
                "Every event carries the hash of the one before it. Verifying recomputes each hash "
                "from the stored fields and names the first event that was changed, removed or reordered."
            </p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tenants.await {
                        Ok(tenants) => view! {
                            <table class="chains">
                                <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Chain"</th><th></th></tr></thead>
                                <tbody>{tenants.into_iter().map(|tenant| view! { <ChainRow tenant/> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ChainRow(tenant: Tenant) -> impl IntoView {
    let verify = ServerAction::<VerifyChain>::new();
    let slug = tenant.slug.clone();
    let status = move || match verify.value().get() {
        None if verify.pending().get() => {
            view! { <span class="muted">"Verifying…"</span> }.into_any()
        }
        None => view! { <span class="muted">"Not checked yet"</span> }.into_any(),
        Some(Ok(report)) => match report.problem {
            None => view! {
                <span class="chain-ok">"Intact: "{report.events}" events"</span>
                <code class="hash">{report.head_hash}</code>
            }
            .into_any(),
            Some(problem) => {
                view! { <span class="chain-broken" role="alert">"Broken: "{problem}</span> }
                    .into_any()
            }
        },
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
    };
    view! {
        <tr data-tenant=tenant.slug.clone()>
            <th scope="row">{tenant.name}<span class="muted">" · "{tenant.slug.clone()}</span></th>
            <td class="status">{status}</td>
            <td>
                <button
                    type="button"
                    disabled=move || verify.pending().get()
                    on:click=move |_| { verify.dispatch(VerifyChain { tenant: slug.clone() }); }
                >
                    "Verify"
                </button>
            </td>
        </tr>
    }
}
