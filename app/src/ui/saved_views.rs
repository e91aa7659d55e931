//! The saved-views sidebar: the member's named filters, and saving this one.

use super::ErrorNotice;
use crate::{
    api::{list_views, DeleteView, SaveView},
    model::EventFilter,
};
use leptos::prelude::*;

#[component]
pub fn SavedViews(filter: EventFilter) -> impl IntoView {
    let save = ServerAction::<SaveView>::new();
    let delete = ServerAction::<DeleteView>::new();
    let views = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_views(),
    );
    let name = RwSignal::new(String::new());
    let filter = StoredValue::new(filter);
    view! {
        <aside class="saved-views" aria-label="Saved views">
            <h2>"Saved views"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match views.await {
                        Ok(list) if list.is_empty() => view! { <p class="subtle">"None yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul>
                                {list.into_iter().map(|v| {
                                    let (id, href) = (v.id, v.href());
                                    let label = format!("Delete the view {}", v.name);
                                    view! {
                                        <li>
                                            <a href=href>{v.name}</a>
                                            <button type="button" class="link delete" aria-label=label
                                                on:click=move |_| { delete.dispatch(DeleteView { id }); }>"×"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Transition>
            <form class="save-view" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveView { name: name.get_untracked(), filter: filter.get_value() });
                name.set(String::new());
            }>
                <input type="text" aria-label="View name" placeholder="Name this view"
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                <button type="submit">"Save"</button>
            </form>
            {move || save.value().get().and_then(Result::err).map(|err| view! { <ErrorNotice err/> })}
        </aside>
    }
}
