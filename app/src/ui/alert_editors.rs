//! The Alerts page's forms: a new rule and a new destination.

use crate::{
    api::{DestinationForm, RuleForm, SaveAlertDestination, SaveAlertRule},
    model::{AlertDestination, AlertRule, DestinationKind, GroupBy, Tenant, Threshold},
    ui::ErrorNotice,
};
use leptos::prelude::*;

use super::alert_lists::reload_after;

fn number(text: String) -> Option<u32> {
    text.trim().parse().ok()
}

/// What a new rule or destination belongs to unless changed: every tenant
/// for staff, a partner's one tenant otherwise.
fn default_tenant(tenants: &[Tenant], staff_wide: bool) -> String {
    match tenants.first() {
        Some(t) if !staff_wide => t.slug.clone(),
        _ => String::new(),
    }
}

/// The tenant choice: staff may pick "every tenant"; a partner has one
/// tenant and sees no choice.
#[component]
fn TenantChoice(tenants: Vec<Tenant>, staff_wide: bool, value: RwSignal<String>) -> impl IntoView {
    let hidden = !staff_wide && tenants.len() <= 1;
    let chosen = value.get_untracked();
    view! {
        <label class:hidden=hidden>"Tenant"
            <select on:change:target=move |ev| value.set(ev.target().value())>
                {staff_wide.then(|| view! { <option value="" selected=chosen.is_empty()>"All tenants"</option> })}
                {tenants.into_iter().map(|t| {
                    let selected = t.slug == chosen;
                    view! { <option value=t.slug.clone() selected=selected>{t.name}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// A new rule, or (given `rule`) a change to one.
#[component]
pub fn RuleEditor(
    tenants: Vec<Tenant>,
    staff_wide: bool,
    destinations: Vec<AlertDestination>,
    changed: RwSignal<u32>,
    #[prop(optional)] rule: Option<AlertRule>,
) -> impl IntoView {
    let save = ServerAction::<SaveAlertRule>::new();
    reload_after!(save, changed);
    let first_tenant = default_tenant(&tenants, staff_wide);
    let editing = rule.is_some();
    let rule = rule.unwrap_or(AlertRule {
        id: 0,
        tenant: None,
        name: String::new(),
        conditions: String::new(),
        threshold: None,
        silence_secs: None,
        enabled: true,
        destinations: Vec::new(),
        fired: 0,
        last_fired_at: None,
    });
    let id = editing.then_some(rule.id);
    let initial_kind = match (rule.threshold, rule.silence_secs) {
        (Some(_), _) => "threshold",
        (_, Some(_)) => "silence",
        _ => "each",
    };
    let threshold = rule.threshold.unwrap_or(Threshold {
        count: 5,
        window_secs: 600,
        group_by: GroupBy::Actor,
    });
    let (name, tenant, kind) = (
        RwSignal::new(rule.name.clone()),
        RwSignal::new(
            rule.tenant
                .as_ref()
                .map_or(first_tenant, |t| t.slug.clone()),
        ),
        RwSignal::new(initial_kind.to_string()),
    );
    let (conditions, count, window, group_by, quiet) = (
        RwSignal::new(rule.conditions.clone()),
        RwSignal::new(threshold.count.to_string()),
        RwSignal::new((threshold.window_secs / 60).to_string()),
        RwSignal::new(threshold.group_by.as_str().to_string()),
        RwSignal::new((rule.silence_secs.unwrap_or(3_600) / 60).to_string()),
    );
    let enabled = rule.enabled;
    let chosen = RwSignal::new(rule.destinations.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind = kind.get_untracked();
        let threshold = kind == "threshold";
        let silence = kind == "silence";
        let form = RuleForm {
            id,
            name: name.get_untracked(),
            tenant: Some(tenant.get_untracked()).filter(|t| !t.is_empty()),
            conditions: if silence {
                String::new()
            } else {
                conditions.get_untracked()
            },
            threshold: threshold.then(|| number(count.get_untracked())).flatten(),
            window_minutes: threshold.then(|| number(window.get_untracked())).flatten(),
            group_by: threshold
                .then(|| group_by.get_untracked().parse().ok())
                .flatten(),
            silence_minutes: silence.then(|| number(quiet.get_untracked())).flatten(),
            enabled,
            destinations: chosen.get_untracked(),
        };
        save.dispatch(SaveAlertRule { form });
    };
    let result = move || match save.value().get() {
        Some(Ok(rule)) => {
            view! { <p class="notice success" role="status">"Rule \""{rule.name}"\" saved."</p> }
                .into_any()
        }
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    };
    let is = move |k: &'static str| move || kind.get() == k;
    let group = threshold.group_by;
    view! {
        <details class="card" class:new-rule=!editing class:edit-rule=editing open=editing>
            <summary>{if editing { "Change the rule" } else { "Add a rule" }}</summary>
            <form on:submit=submit>
                <label>"Name" <input bind:value=name placeholder="e.g. Manual balance additions" required/></label>
                <TenantChoice tenants staff_wide value=tenant/>
                <fieldset class="rule-kind">
                    <legend>"Fires on"</legend>
                    <label><input type="radio" name="kind" value="each" checked=initial_kind == "each" on:change=move |_| kind.set("each".into())/>" every matching event"</label>
                    <label><input type="radio" name="kind" value="threshold" checked=initial_kind == "threshold" on:change=move |_| kind.set("threshold".into())/>" several matching events in a window"</label>
                    <label><input type="radio" name="kind" value="silence" checked=initial_kind == "silence" on:change=move |_| kind.set("silence".into())/>" logging stopped"</label>
                </fieldset>
                <label class:hidden=is("silence")>"Conditions"
                    <input class="query" bind:value=conditions placeholder="action:balance.* severity:critical -outcome:success"/>
                    <small>"The log's search language; empty matches every event."</small>
                </label>
                <div class="threshold" class:hidden=move || !is("threshold")()>
                    <label>"At least" <input type="number" min="1" bind:value=count/></label>
                    <label>"within (minutes)" <input type="number" min="1" bind:value=window/></label>
                    <label>"per"
                        <select on:change:target=move |ev| group_by.set(ev.target().value())>
                            {GroupBy::ALL.iter().map(|g| view! { <option value=g.as_str() selected=*g == group>{g.as_str()}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                <label class:hidden=move || !is("silence")()>"No events for (minutes)"
                    <input type="number" min="1" bind:value=quiet/>
                    <small>"Watches tenants that usually send: ten events within a week before going quiet."</small>
                </label>
                <fieldset class="rule-destinations">
                    <legend>"Notify"</legend>
                    {if destinations.is_empty() {
                        view! { <p class="notice">"Add a destination first."</p> }.into_any()
                    } else {
                        destinations.into_iter().map(|d| {
                            let id = d.id;
                            let on = chosen.get_untracked().contains(&id);
                            view! {
                                <label><input type="checkbox" value=id.to_string() checked=on on:change:target=move |ev| {
                                    let on = ev.target().checked();
                                    chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } });
                                }/>" "{d.name}" ("{d.kind.label()}")"</label>
                            }
                        }).collect_view().into_any()
                    }}
                </fieldset>
                <button type="submit" disabled=move || save.pending().get()>"Save rule"</button>
            </form>
            {result}
        </details>
    }
    .into_any()
}

#[component]
pub fn DestinationEditor(
    tenants: Vec<Tenant>,
    staff_wide: bool,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let save = ServerAction::<SaveAlertDestination>::new();
    reload_after!(save, changed);
    let first_tenant = default_tenant(&tenants, staff_wide);
    let (name, tenant, kind, target, secret) = (
        RwSignal::new(String::new()),
        RwSignal::new(first_tenant),
        RwSignal::new(DestinationKind::Email),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = DestinationForm {
            name: name.get_untracked(),
            tenant: Some(tenant.get_untracked()).filter(|t| !t.is_empty()),
            kind: kind.get_untracked(),
            target: target.get_untracked(),
            secret: Some(secret.get_untracked()).filter(|s| !s.trim().is_empty()),
        };
        save.dispatch(SaveAlertDestination { form });
    };
    let result = move || {
        match save.value().get() {
        Some(Ok(d)) => view! { <p class="notice success" role="status">"Destination \""{d.name}"\" added."</p> }.into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    }
    };
    view! {
        <details class="card new-destination">
            <summary>"Add a destination"</summary>
            <form on:submit=submit>
                <label>"Name" <input bind:value=name placeholder="e.g. Security team" required/></label>
                <TenantChoice tenants staff_wide value=tenant/>
                <label>"Kind"
                    <select on:change:target=move |ev| {
                        if let Ok(k) = ev.target().value().parse() { kind.set(k); }
                    }>
                        {DestinationKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || format!("Send to ({})", kind.get().target_hint())}
                    <input bind:value=target required/>
                </label>
                <label class:hidden=move || kind.get().secret_hint().is_none()>
                    {move || kind.get().secret_hint().map(|h| format!("Secret ({h})"))}
                    <input type="password" autocomplete="off" bind:value=secret/>
                </label>
                <button type="submit" disabled=move || save.pending().get()>"Add destination"</button>
            </form>
            {result}
        </details>
    }
    .into_any()
}
