//! Retention: how long each tenant's events are kept, legal holds, and the
//! tenant's own redaction words. Admins change them; others read them.

use crate::{
    api::{load_settings, UpdateSettings},
    model::{Retention, SettingsForm, TenantSettings, MAX_RETENTION_DAYS},
    ui::ErrorNotice,
};
use leptos::prelude::*;

#[component]
pub fn RetentionPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_settings());
    view! {
        <section class="retention">
            <h1>"Retention"</h1>
            <p class="lead">
                "Expired events are deleted hourly in small batches, after a signed checkpoint at the cut "
                "so that what remains still verifies. A legal hold pauses deletion. Redaction words add "
                "to the deployment's list: values under matching keys are stored as \"[redacted]\" from the next event on."
            </p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            let (default_days, can_edit) = (overview.default_days, overview.can_edit);
                            view! {
                                <table class="chains settings">
                                    <thead><tr>
                                        <th scope="col">"Tenant"</th>
                                        <th scope="col">"Keep events"</th>
                                        <th scope="col">"Legal hold"</th>
                                        <th scope="col">"Redaction words"</th>
                                        <th></th>
                                    </tr></thead>
                                    <tbody>
                                        {overview.tenants.into_iter()
                                            .map(|settings| view! { <SettingsRow settings default_days can_edit/> })
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

/// Which of the three retention choices the select shows.
fn choice_of(retention: Retention) -> &'static str {
    match retention {
        Retention::Default => "default",
        Retention::Days(_) => "days",
        Retention::Forever => "forever",
    }
}

#[component]
fn SettingsRow(settings: TenantSettings, default_days: u32, can_edit: bool) -> impl IntoView {
    let save = ServerAction::<UpdateSettings>::new();
    // Attributes carry the stored values into the server's HTML; props keep
    // the inputs in step once hydrated.
    let initial = choice_of(settings.retention);
    let choice = RwSignal::new(initial.to_string());
    let days = RwSignal::new(
        settings
            .retention
            .days(default_days)
            .unwrap_or(default_days),
    );
    let hold = RwSignal::new(settings.legal_hold);
    let words = RwSignal::new(settings.redaction_words.join(", "));
    let slug = settings.tenant.slug.clone();
    let submit = move |_| {
        let retention = match choice.get().as_str() {
            "forever" => Retention::Forever,
            "days" => Retention::Days(days.get()),
            _ => Retention::Default,
        };
        let form = SettingsForm {
            retention,
            legal_hold: hold.get(),
            redaction_words: words
                .get()
                .split(',')
                .map(|w| w.trim().to_string())
                .collect(),
        };
        save.dispatch(UpdateSettings {
            tenant: slug.clone(),
            form,
        });
    };
    let result = move || match save.value().get() {
        Some(Ok(())) => view! { <span class="chain-ok">"Saved"</span> }.into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    };
    let label = settings.retention.label(default_days);
    let TenantSettings {
        tenant,
        legal_hold,
        redaction_words,
        ..
    } = settings;
    let row_slug = tenant.slug.clone();
    view! {
        <tr data-tenant=row_slug>
            <th scope="row">{tenant.name}<span class="muted">" · "{tenant.slug}</span></th>
            {if can_edit {
                view! {
                    <td>
                        <select
                            aria-label="Keep events"
                            prop:value=move || choice.get()
                            on:change=move |ev| choice.set(event_target_value(&ev))
                        >
                            <option value="default" selected=initial == "default">{format!("Default ({default_days} days)")}</option>
                            <option value="days" selected=initial == "days">"A number of days"</option>
                            <option value="forever" selected=initial == "forever">"Forever"</option>
                        </select>
                        <Show when=move || choice.get() == "days">
                            <input
                                type="number"
                                aria-label="Days"
                                min="1"
                                max=MAX_RETENTION_DAYS
                                prop:value=move || days.get().to_string()
                                on:input=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(0))
                            />
                        </Show>
                    </td>
                    <td>
                        <input
                            type="checkbox"
                            aria-label="Legal hold"
                            checked=legal_hold
                            prop:checked=move || hold.get()
                            on:change=move |ev| hold.set(event_target_checked(&ev))
                        />
                    </td>
                    <td>
                        <input
                            type="text"
                            aria-label="Redaction words"
                            placeholder="e.g. gift_code, iban"
                            value=redaction_words.join(", ")
                            prop:value=move || words.get()
                            on:input=move |ev| words.set(event_target_value(&ev))
                        />
                    </td>
                    <td class="actions">
                        <button type="button" disabled=move || save.pending().get() on:click=submit>
                            "Save"
                        </button>
                        {result}
                    </td>
                }.into_any()
            } else {
                view! {
                    <td>{label}</td>
                    <td>{if legal_hold { "On" } else { "Off" }}</td>
                    <td>{redaction_words.join(", ")}</td>
                    <td></td>
                }.into_any()
            }}
        </tr>
    }
}
