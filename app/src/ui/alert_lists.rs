//! The Alerts page's tables: rules, destinations and recent deliveries.

use crate::{
    api::{
        DeleteAlertDestination, DeleteAlertRule, PreviewAlertRule, RuleForm, SaveAlertRule,
        TestAlertDestination,
    },
    model::{AlertDelivery, AlertDestination, AlertRule, DeliveryStatus, Tenant},
    ui::{ErrorNotice, LocalTime, RuleEditor},
};
use leptos::prelude::*;

fn time(micros: Option<i64>) -> AnyView {
    match micros.and_then(chrono::DateTime::from_timestamp_micros) {
        Some(at) => view! { <LocalTime at/> }.into_any(),
        None => "never".into_any(),
    }
}

/// Bumps `changed` once an action succeeds, so the page reloads its data.
macro_rules! reload_after {
    ($action:expr, $changed:expr) => {
        Effect::new(move |_| {
            if let Some(Ok(_)) = $action.value().get() {
                $changed.update(|n| *n += 1);
            }
        });
    };
}
pub(crate) use reload_after;

#[component]
pub fn AlertRules(
    rules: Vec<AlertRule>,
    destinations: Vec<AlertDestination>,
    tenants: Vec<Tenant>,
    staff_wide: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    if rules.is_empty() {
        return view! { <p class="notice">"No rules yet. Add one below."</p> }.into_any();
    }
    view! {
        <table class="alert-rules">
            <thead><tr>
                <th scope="col">"Rule"</th><th scope="col">"Tenant"</th><th scope="col">"Fires on"</th>
                <th scope="col">"Notifies"</th><th scope="col">"Fired"</th><th></th>
            </tr></thead>
            <tbody>
                {rules.into_iter().map(|rule| {
                    let mut names: Vec<String> = destinations
                        .iter()
                        .filter(|d| rule.destinations.contains(&d.id))
                        .map(|d| d.name.clone())
                        .collect();
                    // A partner's tenant rule may also notify staff, whose
                    // destinations the partner does not see.
                    let unseen = rule.destinations.len() - names.len();
                    if unseen > 0 {
                        names.push(format!("{unseen} staff destination(s)"));
                    }
                    let editor = view! {
                        <RuleEditor tenants=tenants.clone() staff_wide destinations=destinations.clone() changed rule=rule.clone()/>
                    }
                    .into_any();
                    view! { <RuleRow rule names editor changed/> }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn RuleRow(
    rule: AlertRule,
    names: Vec<String>,
    editor: AnyView,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let preview = ServerAction::<PreviewAlertRule>::new();
    let toggle = ServerAction::<SaveAlertRule>::new();
    let delete = ServerAction::<DeleteAlertRule>::new();
    reload_after!(toggle, changed);
    reload_after!(delete, changed);
    let id = rule.id;
    let flipped = RuleForm {
        id: Some(rule.id),
        name: rule.name.clone(),
        tenant: rule.tenant.as_ref().map(|t| t.slug.clone()),
        conditions: rule.conditions.clone(),
        threshold: rule.threshold.map(|t| t.count),
        window_minutes: rule.threshold.map(|t| t.window_secs / 60),
        group_by: rule.threshold.map(|t| t.group_by),
        silence_minutes: rule.silence_secs.map(|s| s / 60),
        enabled: !rule.enabled,
        destinations: rule.destinations.clone(),
    };
    let previewed = move || match preview.value().get() {
        Some(Ok(p)) => view! {
            <p class="preview" role="status">
                <a href=p.href>{format!("{} matching events", p.matched)}</a>" in the last 30 days"
            </p>
        }
        .into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    };
    let errors = move || {
        [
            toggle.value().get().and_then(Result::err),
            delete.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .map(|err| view! { <ErrorNotice err/> })
        .collect_view()
    };
    let is_silence = rule.silence_secs.is_some();
    view! {
        <tr data-rule=rule.name.clone() class:disabled=!rule.enabled>
            <th scope="row">{rule.name.clone()}{(!rule.enabled).then(|| view! { " " <span class="badge">"disabled"</span> })}</th>
            <td>{rule.tenant.as_ref().map_or_else(|| "All tenants".to_string(), |t| t.name.clone())}</td>
            <td><code>{rule.describe()}</code></td>
            <td>{if names.is_empty() { "nobody".to_string() } else { names.join(", ") }}</td>
            <td>{if rule.fired == 0 {
                "never".into_any()
            } else {
                view! { {rule.fired}" × · last "{time(rule.last_fired_at)} }.into_any()
            }}</td>
            <td class="actions">
                {(!is_silence).then(|| view! {
                    <button type="button" on:click=move |_| { preview.dispatch(PreviewAlertRule { id }); }>"Test against 30 days"</button>
                })}
                <button type="button" on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                <button type="button" on:click=move |_| { toggle.dispatch(SaveAlertRule { form: flipped.clone() }); }>
                    {if rule.enabled { "Disable" } else { "Enable" }}
                </button>
                <button type="button" class="danger" on:click=move |_| { delete.dispatch(DeleteAlertRule { id }); }>"Delete"</button>
                {previewed}
                {errors}
            </td>
        </tr>
        <tr class="rule-editor" class:hidden=move || !editing.get()>
            <td colspan="6">{editor}</td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn AlertDestinations(
    destinations: Vec<AlertDestination>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    if destinations.is_empty() {
        return view! { <p class="notice">"No destinations yet. Add one below, then send it a test message."</p> }.into_any();
    }
    view! {
        <table class="alert-destinations">
            <thead><tr>
                <th scope="col">"Destination"</th><th scope="col">"Sends to"</th><th scope="col">"Tenant"</th>
                <th scope="col">"Health"</th><th></th>
            </tr></thead>
            <tbody>
                {destinations.into_iter().map(|d| view! { <DestinationRow d changed/> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DestinationRow(d: AlertDestination, changed: RwSignal<u32>) -> impl IntoView {
    let test = ServerAction::<TestAlertDestination>::new();
    let delete = ServerAction::<DeleteAlertDestination>::new();
    reload_after!(test, changed);
    reload_after!(delete, changed);
    let id = d.id;
    let health = match (&d.failing_since, &d.last_error) {
        (Some(since), error) => view! {
            <span class="failing">"Failing since "{time(Some(*since))}</span>
            <small class="last-error">{error.clone().unwrap_or_default()}</small>
        }
        .into_any(),
        (None, Some(error)) if d.consecutive_failures > 0 => view! {
            <span class="retrying">{format!("{} failed attempt(s)", d.consecutive_failures)}</span>
            <small class="last-error">{error.clone()}</small>
        }
        .into_any(),
        _ => view! { <span class="ok">"OK · last delivery "{time(d.last_success_at)}</span> }
            .into_any(),
    };
    let outcome = move || {
        match test.value().get() {
        Some(Ok(_)) => view! { <p class="notice success" role="status">"Test message queued; see the deliveries below."</p> }.into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => delete.value().get().and_then(Result::err).map(|err| view! { <ErrorNotice err/> }).into_any(),
    }
    };
    view! {
        <tr data-destination=d.name.clone() class:destination-failing=d.failing_since.is_some()>
            <th scope="row">{d.name.clone()}" "<span class="badge">{d.kind.label()}</span></th>
            <td><code>{d.shown_target()}</code>{d.has_secret.then_some(" · secret set")}</td>
            <td>{d.tenant.as_ref().map_or_else(|| "All tenants".to_string(), |t| t.name.clone())}</td>
            <td>{health}</td>
            <td class="actions">
                <button type="button" on:click=move |_| { test.dispatch(TestAlertDestination { id }); }>"Send test"</button>
                <button type="button" class="danger" on:click=move |_| { delete.dispatch(DeleteAlertDestination { id }); }>"Delete"</button>
                {outcome}
            </td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn AlertDeliveries(deliveries: Vec<AlertDelivery>) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="notice">"Nothing sent yet."</p> }.into_any();
    }
    view! {
        <table class="alert-deliveries">
            <thead><tr>
                <th scope="col">"Queued"</th><th scope="col">"Rule"</th><th scope="col">"To"</th>
                <th scope="col">"Notification"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {deliveries.into_iter().map(|d| {
                    let status = match d.status {
                        DeliveryStatus::Sent => view! { <span class="ok">"Sent "{time(d.sent_at)}</span> }.into_any(),
                        DeliveryStatus::Pending if d.attempts == 0 => view! { <span>"Queued"</span> }.into_any(),
                        DeliveryStatus::Pending => view! {
                            <span class="retrying">{format!("Retrying ({} attempts) · next ", d.attempts)}{time(Some(d.next_attempt_at))}</span>
                        }.into_any(),
                        DeliveryStatus::Failed => view! { <span class="failing">{format!("Failed after {} attempts", d.attempts)}</span> }.into_any(),
                    };
                    let summary = match &d.event_id {
                        Some(id) => view! { <a href=format!("/events/{id}")>{d.summary.clone()}</a> }.into_any(),
                        None => d.summary.clone().into_any(),
                    };
                    view! {
                        <tr data-status=d.status.as_str()>
                            <td>{time(Some(d.created_at))}</td>
                            <td>{d.rule.clone().unwrap_or_else(|| "Test".into())}</td>
                            <td>{d.destination.clone()}</td>
                            <td>{summary}</td>
                            <td>{status}{d.last_error.clone().map(|e| view! { <small class="last-error">{e}</small> })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
