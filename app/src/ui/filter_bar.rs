//! The query bar and the filter controls: two views of one draft filter.
//! Editing either rewrites the other at once; applying writes the filter into
//! the URL. Without scripts both are plain GET forms the page reads back.

use super::{page_href, QueryErrorNotice};
use crate::api::SuggestActors;
use crate::model::{ActorType, EventFilter, Field, Outcome, QuickRange, Severity, Tenant};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn FilterBar(
    filter: EventFilter,
    tenants: Vec<Tenant>,
    /// The page the filter applies to: the log, or the analytics page.
    #[prop(default = "/")]
    base: &'static str,
) -> impl IntoView {
    let query = filter.to_query();
    let draft = RwSignal::new(filter.clone());
    let bar = RwSignal::new(query.clone());
    let bar_error = RwSignal::new(None);
    let problem = RwSignal::new(None::<String>);
    // A control changed the draft: the bar shows it in its own words.
    let edit = move |change: &dyn Fn(&mut EventFilter) -> Result<(), String>| {
        let mut next = draft.get_untracked();
        match change(&mut next) {
            Ok(()) => {
                bar.set(next.to_query());
                bar_error.set(None);
                draft.set(next);
                problem.set(None);
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    let navigate = use_navigate();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if bar_error.get_untracked().is_none() {
            navigate(
                &page_href(base, &draft.get_untracked(), None),
                Default::default(),
            );
        }
    };
    let on_bar = move |ev| {
        let text = event_target_value(&ev);
        match EventFilter::parse_query(&text) {
            Ok(f) => {
                draft.set(f);
                bar_error.set(None);
            }
            Err(e) => bar_error.set(Some((text.clone(), e))),
        }
        bar.set(text);
    };
    // Suggestions for what is typed in the actor box; an action, not a
    // resource, so the server renders none and nothing differs on hydration.
    let suggest = ServerAction::<SuggestActors>::new();
    let shown = filter.is.clone();
    let text = move |field: Field, label: &'static str, hint: &'static str| {
        let initial = shown.get(field).join(",");
        let list = (field == Field::Actor).then_some("actor-suggestions");
        view! {
            <label>{label}
                <input type="search" name=field.name() placeholder=hint value=initial list=list
                    on:input=move |ev| if field == Field::Actor {
                        suggest.dispatch(SuggestActors { typed: event_target_value(&ev) });
                    }
                    prop:value=move || draft.with(|f| f.is.get(field).join(","))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        edit(&|f| f.is.replace(field, &value));
                    }/>
            </label>
        }
        .into_any()
    };
    let shown = filter.is.clone();
    let choice = move |field: Field, label: &'static str, options: Vec<&'static str>| {
        let chosen = shown.get(field).join(",");
        view! {
            <label>{label}
                <select name=field.name()
                    prop:value=move || draft.with(|f| f.is.get(field).join(","))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        edit(&|f| f.is.replace(field, &value));
                    }>
                    <option value="" selected=chosen.is_empty()>"Any"</option>
                    {options.into_iter().map(|o| view! {
                        <option value=o selected=o == chosen>{o}</option>
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any()
    };
    let chosen_tenant = filter.tenant.clone().unwrap_or_default();
    let chosen_range = filter.range.map(QuickRange::as_str).unwrap_or_default();
    let (from_day, to_day) = (
        day(filter.from),
        day(filter.to.map(|t| t - Duration::days(1))),
    );
    // Exclusions have no controls of their own; the controls' form keeps them.
    let kept: Vec<(String, String)> = filter
        .to_params()
        .into_iter()
        .filter(|(name, _)| name.starts_with("not_"))
        .collect();
    view! {
        <form class="query-bar" method="get" action=base on:submit=apply.clone()>
            <input type="search" name="bar" class="bar" aria-label="Query"
                placeholder="actor:alice@shop.io action:license.* -outcome:success \"hwid reset\""
                value=query prop:value=move || bar.get() on:input=on_bar/>
            <button type="submit">"Search"</button>
            {move || bar_error.get().map(|(text, err)| view! { <QueryErrorNotice text err/> })}
        </form>
        <form class="filters" method="get" action=base on:submit=apply>
            // Partners see one tenant: no switcher.
            {(tenants.len() > 1).then(|| view! {
                <label>"Tenant"
                    <select name="tenant"
                        prop:value=move || draft.with(|f| f.tenant.clone().unwrap_or_default())
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            edit(&|f| { f.tenant = (!value.is_empty()).then(|| value.clone()); Ok(()) });
                        }>
                        <option value="" selected=chosen_tenant.is_empty()>"All tenants"</option>
                        {tenants.into_iter().map(|t| {
                            let selected = t.slug == chosen_tenant;
                            view! { <option value=t.slug.clone() selected=selected>{t.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            {text(Field::Actor, "Actor", "id, email or name")}
            {view! {
                <datalist id="actor-suggestions">
                    {move || suggest.value().get().and_then(Result::ok).unwrap_or_default().into_iter().map(|a| {
                        let value = a.email.clone().unwrap_or_else(|| a.id.clone());
                        let label = format!("{} · {}", a.label(), a.kind.as_str());
                        view! { <option value=value>{label}</option> }
                    }).collect_view()}
                </datalist>
            }.into_any()}
            {choice(Field::ActorType, "Actor type", ActorType::ALL.iter().map(|v| v.as_str()).collect())}
            {text(Field::Action, "Action", "license.* or user.login")}
            {text(Field::Category, "Category", "auth, billing…")}
            {text(Field::EventType, "Event type", "create, update…")}
            {choice(Field::Outcome, "Outcome", Outcome::ALL.iter().map(|v| v.as_str()).collect())}
            {choice(Field::Severity, "Severity", Severity::ALL.iter().map(|v| v.as_str()).collect())}
            {text(Field::ResourceType, "Resource type", "license")}
            {text(Field::ResourceId, "Resource id", "KEY-0042")}
            {text(Field::Ip, "IP", "198.51.100.4")}
            <label>"Text"
                <input type="search" name="q" placeholder="words or \"a phrase\""
                    value=filter.text.clone().unwrap_or_default()
                    prop:value=move || draft.with(|f| f.text.clone().unwrap_or_default())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        edit(&|f| {
                            f.text = (!value.trim().is_empty()).then(|| value.trim().to_string());
                            Ok(())
                        });
                    }/>
            </label>
            <label>"When"
                <select name="range"
                    prop:value=move || draft.with(|f| f.range.map(QuickRange::as_str).unwrap_or_default())
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        edit(&|f| {
                            f.range = if value.is_empty() { None } else { Some(value.parse().map_err(|e: crate::model::ParseEnumError| e.to_string())?) };
                            if f.range.is_some() { (f.from, f.to) = (None, None); }
                            Ok(())
                        });
                    }>
                    {QuickRange::ALL.iter().map(|r| view! {
                        <option value=r.as_str() selected=r.as_str() == chosen_range>{r.label()}</option>
                    }).collect_view()}
                    <option value="" selected=chosen_range.is_empty()>"Custom dates"</option>
                </select>
            </label>
            <label>"From"
                <input type="date" name="from" value=from_day
                    prop:value=move || draft.with(|f| day(f.from))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        edit(&|f| { f.from = parse_day(&value)?; f.range = None; Ok(()) });
                    }/>
            </label>
            <label>"To"
                <input type="date" name="to" value=to_day
                    prop:value=move || draft.with(|f| day(f.to.map(|t| t - Duration::days(1))))
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        // `to` is exclusive; the input shows the last day included.
                        edit(&|f| { f.to = parse_day(&value)?.map(|t| t + Duration::days(1)); f.range = None; Ok(()) });
                    }/>
            </label>
            {kept.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit">"Apply"</button>
            <a href=base class="reset">"Reset"</a>
            {move || problem.get().map(|p| view! { <p class="control-error" role="alert">{p}</p> })}
        </form>
    }
}

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn parse_day(value: &str) -> Result<Option<DateTime<Utc>>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map(|d| Some(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
        .map_err(|_| format!("'{value}' is not a date"))
}
