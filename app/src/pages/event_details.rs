//! One event, every field, with its before/after values side by side.

use crate::{
    api::get_event,
    model::Permission,
    ui::{ChangesTable, ErrorNotice, EventFields, NotesPanel},
    ViewerResource,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn EventDetailsPage() -> impl IntoView {
    let params = use_params_map();
    let event = Resource::new(
        move || params.get().get("id").unwrap_or_default(),
        get_event,
    );
    view! {
        <section class="details">
            <p><a href="/" class="back">"← Back to the log"</a></p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match event.await {
                        Ok(event) => {
                            let raw = serde_json::to_string_pretty(&event).unwrap_or_default();
                            let can_annotate = match use_context::<ViewerResource>() {
                                Some(viewer) => viewer.can(Permission::Annotate).await,
                                None => false,
                            };
                            view! {
                                <h1>{event.description.clone()}</h1>
                                <EventFields event=event.clone()/>
                                <h2>"What changed"</h2>
                                <ChangesTable before=event.before.clone() after=event.after.clone()/>
                                <NotesPanel event_id=event.id.clone() tenant=event.tenant.clone() can_annotate/>
                                <details class="raw">
                                    <summary>"Raw JSON"</summary>
                                    <pre class="json">{raw}</pre>
                                </details>
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
