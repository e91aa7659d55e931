//! Alerts: rules over events, where they notify, and how deliveries went.

use crate::{
    api::load_alerts,
    ui::{
        AlertDeliveries, AlertDestinations, AlertRules, DestinationEditor, ErrorNotice, RuleEditor,
    },
};
use leptos::prelude::*;

#[component]
pub fn AlertsPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let overview = Resource::new(move || changed.get(), |_| load_alerts());
    // Set once hydrated: the forms below work only from then on.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <section class="alerts" data-ready=move || ready.get().to_string()>
            <h1>"Alerts"</h1>
            <p class="lead">"Rules watch events as they arrive and notify by email, Slack, Telegram or a signed webhook. A notification is queued with the event itself, retried until it is delivered, and listed below either way."</p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <h2>"Rules"</h2>
                            <AlertRules rules=o.rules.clone() destinations=o.destinations.clone() tenants=o.tenants.clone() staff_wide=o.staff_wide changed/>
                            <RuleEditor tenants=o.tenants.clone() staff_wide=o.staff_wide destinations=o.destinations.clone() changed/>
                            <h2>"Destinations"</h2>
                            <AlertDestinations destinations=o.destinations.clone() changed/>
                            <DestinationEditor tenants=o.tenants.clone() staff_wide=o.staff_wide changed/>
                            <h2>"Recent deliveries"</h2>
                            <AlertDeliveries deliveries=o.deliveries/>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}
