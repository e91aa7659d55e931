//! API keys: per tenant, created with the secret shown once, revoked at once.

use crate::{
    api::{
        list_api_keys, list_embed_origins, list_tenants, CreateApiKey, EmbedOrigins, RevokeApiKey,
        SaveEmbedOrigins,
    },
    model::{ApiKeyInfo, Tenant, SELF_TENANT},
    ui::{ErrorNotice, LocalTime},
};
use leptos::prelude::*;

fn time(micros: Option<i64>) -> impl IntoView {
    micros
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|at| view! { <LocalTime at/> })
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let keys = Resource::new(move || changed.get(), |_| list_api_keys());
    let tenants = Resource::new(|| (), |_| list_tenants());
    view! {
        <section class="keys">
            <h1>"API keys"</h1>
            <p class="lead">"Applications send events with these keys. A key writes to one tenant only; revoking it takes effect on its next request."</p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let tenants: Vec<Tenant> = tenants
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|t| t.slug != SELF_TENANT)
                        .collect();
                    match keys.await {
                        Ok(keys) => view! {
                            <NewKey tenants changed/>
                            <table class="api-keys">
                                <thead><tr>
                                    <th scope="col">"Key"</th><th scope="col">"May"</th><th scope="col">"Tenant"</th><th scope="col">"Created by"</th>
                                    <th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th><th></th>
                                </tr></thead>
                                <tbody>{keys.into_iter().map(|key| view! { <KeyRow key changed/> }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
            <Embedding/>
        </section>
    }
    .into_any()
}

/// The sites allowed to show each tenant's log in a frame (viewer tokens).
#[component]
fn Embedding() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_embed_origins());
    view! {
        <h2>"Embedding"</h2>
        <p class="lead">"Sites listed here may show a tenant's log inside their own pages, with a viewer link made by "
            <code>"POST /api/v1/viewer-tokens"</code>" (a key with the read scope). Any other site cannot frame it."</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => list.into_iter().map(|entry| view! { <OriginsForm entry/> }).collect_view().into_any(),
                    Err(err) => view! { <ErrorNotice err/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OriginsForm(entry: EmbedOrigins) -> impl IntoView {
    let save = ServerAction::<SaveEmbedOrigins>::new();
    let result = move || {
        match save.value().get() {
        Some(Ok(saved)) => view! {
            <p class="notice success" role="status">{format!("Saved: {}", if saved.is_empty() { "no site may embed it".to_string() } else { saved.join(", ") })}</p>
        }.into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    }
    };
    let label = format!("Sites that may embed {}", entry.tenant.name);
    view! {
        <ActionForm action=save attr:class="card embed-origins">
            <input type="hidden" name="tenant" value=entry.tenant.slug.clone()/>
            <label>{label}
                <textarea name="origins" rows="2" placeholder="https://portal.example.com">{entry.origins.join("\n")}</textarea>
            </label>
            <button type="submit" disabled=move || save.pending().get()>"Save sites"</button>
            {result}
        </ActionForm>
    }
}

#[component]
fn NewKey(tenants: Vec<Tenant>, changed: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let single = tenants.len() == 1;
    let result = move || match create.value().get() {
        Some(Ok(created)) => view! {
            <p class="notice success" role="status">
                "Key "{created.key.prefix.clone()}" created for "{created.key.tenant.clone()}
                ". Copy it now, it is not shown again: "<code class="secret">{created.secret}</code>
            </p>
        }
        .into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    };
    view! {
        <ActionForm action=create attr:class="card new-key">
            <label class:hidden=single>"Tenant"
                <select name="tenant" required>
                    {tenants.into_iter().map(|t| view! { <option value=t.slug.clone()>{t.name}</option> }).collect_view()}
                </select>
            </label>
            <label>"Name" <input name="name" placeholder="e.g. billing service" required/></label>
            <fieldset class="scopes">
                <legend>"May"</legend>
                <label class="check"><input type="checkbox" name="ingest" value="on" checked/>" Send events"</label>
                <label class="check"><input type="checkbox" name="read" value="on"/>" Read the log (read API)"</label>
                <label class="check"><input type="checkbox" name="export" value="on"/>" Export the log"</label>
            </fieldset>
            <button type="submit" disabled=move || create.pending().get()>"Create key"</button>
            {result}
        </ActionForm>
    }
    .into_any()
}

#[component]
fn KeyRow(key: ApiKeyInfo, changed: RwSignal<u32>) -> impl IntoView {
    let revoke = ServerAction::<RevokeApiKey>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = revoke.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let id = key.id;
    let revoked = key.revoked_at.is_some();
    view! {
        <tr data-key=key.prefix.clone()>
            <th scope="row"><code>{format!("lbk_{}_…", key.prefix)}</code>" "{key.name.clone()}</th>
            <td>{key.scopes.to_string().replace(',', ", ")}</td>
            <td>{key.tenant.clone()}</td>
            <td>{key.created_by.clone().unwrap_or_else(|| "command line".into())}</td>
            <td>{time(Some(key.created_at))}</td>
            <td>{if key.last_used_at.is_some() { time(key.last_used_at).into_any() } else { "never".into_any() }}</td>
            <td>{if revoked { view! { <span class="revoked">"Revoked "{time(key.revoked_at)}</span> }.into_any() } else { "Active".into_any() }}</td>
            <td>
                {(!revoked).then(|| view! {
                    <button type="button" on:click=move |_| { revoke.dispatch(RevokeApiKey { id }); }>"Revoke"</button>
                })}
                {move || revoke.value().get().and_then(Result::err).map(|err| view! { <ErrorNotice err/> })}
            </td>
        </tr>
    }
    .into_any()
}
