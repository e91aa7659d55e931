//! Filter controls; submitting writes the filter into the URL.

use crate::model::{EventFilter, Outcome, Tenant};
use leptos::prelude::*;

#[component]
pub fn FilterBar(filter: EventFilter, tenants: Vec<Tenant>) -> impl IntoView {
    let chosen_tenant = filter.tenant.clone().unwrap_or_default();
    let chosen_outcome = filter.outcome.map(|o| o.as_str()).unwrap_or_default();
    let date = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    // `to` is exclusive; the date input shows the last included day.
    let to_day = date(filter.to.map(|t| t - chrono::Duration::days(1)));
    view! {
        <form class="filters" method="get" action="/">
            // Partners see one tenant: no switcher.
            {(tenants.len() > 1).then(|| view! {
                <label>"Tenant"
                    <select name="tenant">
                        <option value="" selected=chosen_tenant.is_empty()>"All tenants"</option>
                        {tenants.into_iter().map(|t| {
                            let selected = t.slug == chosen_tenant;
                            view! { <option value=t.slug.clone() selected=selected>{t.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label>"Actor"
                <input type="search" name="actor" placeholder="id, email or name" value=filter.actor.clone().unwrap_or_default()/>
            </label>
            <label>"Action"
                <input type="search" name="action" placeholder="license.created or license.*" value=filter.action.clone().unwrap_or_default()/>
            </label>
            <label>"Outcome"
                <select name="outcome">
                    <option value="" selected=chosen_outcome.is_empty()>"Any"</option>
                    {Outcome::ALL.iter().map(|o| {
                        let selected = o.as_str() == chosen_outcome;
                        view! { <option value=o.as_str() selected=selected>{o.as_str()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"From" <input type="date" name="from" value=date(filter.from)/></label>
            <label>"To" <input type="date" name="to" value=to_day/></label>
            <button type="submit">"Apply"</button>
            <a href="/" class="reset">"Reset"</a>
        </form>
    }
}
