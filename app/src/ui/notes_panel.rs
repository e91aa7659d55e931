//! An entry's comments and tags, and (with permission) the forms that add them.

use super::{tag_href, ErrorNotice, LocalTime};
use crate::{
    api::{list_notes, AddComment, AddTag},
    error::AppError,
    model::{Note, NoteKind},
};
use leptos::prelude::*;

#[component]
pub fn NotesPanel(event_id: String, tenant: String, can_annotate: bool) -> impl IntoView {
    let comment = ServerAction::<AddComment>::new();
    let tag = ServerAction::<AddTag>::new();
    let id = event_id.clone();
    let notes = Resource::new(
        move || (comment.version().get(), tag.version().get()),
        move |_| list_notes(id.clone()),
    );
    let tenant = StoredValue::new(tenant);
    view! {
        <section class="notes">
            <h2>"Comments and tags"</h2>
            <Transition fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match notes.await {
                        Ok(list) => view! { <NoteList list tenant=tenant.get_value()/> }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Transition>
            {can_annotate.then(|| view! { <NoteForms event_id comment tag/> })}
        </section>
    }
}

#[component]
fn NoteList(list: Vec<Note>, tenant: String) -> impl IntoView {
    let (tags, comments): (Vec<Note>, Vec<Note>) =
        list.into_iter().partition(|n| n.kind == NoteKind::Tag);
    view! {
        <div class="tags">
            {if tags.is_empty() {
                view! { <span class="subtle">"No tags."</span> }.into_any()
            } else {
                tags.into_iter().map(|t| {
                    let title = format!("Added by {} · every event with this tag", t.author);
                    let href = tag_href(&tenant, &t.text);
                    view! { <a class="tag" href=href title=title>{t.text}</a> }
                }).collect_view().into_any()
            }}
        </div>
        {if comments.is_empty() {
            view! { <p class="subtle">"No comments yet."</p> }.into_any()
        } else {
            view! {
                <ol class="comments">
                    {comments.into_iter().map(|c| view! {
                        <li>
                            <div class="by"><strong>{c.author}</strong>" · "<LocalTime at=c.created_at/></div>
                            <p>{c.text}</p>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
    }
}

#[component]
fn NoteForms(
    event_id: String,
    comment: ServerAction<AddComment>,
    tag: ServerAction<AddTag>,
) -> impl IntoView {
    let (comment_text, tag_text) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let id = StoredValue::new(event_id);
    let problem = move || {
        let failed = |r: Option<Result<Note, AppError>>| r.and_then(Result::err);
        failed(tag.value().get()).or_else(|| failed(comment.value().get()))
    };
    view! {
        <form class="add-tag" on:submit=move |ev| {
            ev.prevent_default();
            tag.dispatch(AddTag { event_id: id.get_value(), tag: tag_text.get_untracked() });
            tag_text.set(String::new());
        }>
            <input type="text" name="tag" aria-label="New tag" placeholder="player-request"
                prop:value=tag_text on:input=move |ev| tag_text.set(event_target_value(&ev))/>
            <button type="submit">"Add tag"</button>
        </form>
        <form class="add-comment" on:submit=move |ev| {
            ev.prevent_default();
            comment.dispatch(AddComment { event_id: id.get_value(), text: comment_text.get_untracked() });
            comment_text.set(String::new());
        }>
            <textarea name="comment" aria-label="New comment" rows="2"
                placeholder="Why this happened, e.g. at the request of the player"
                prop:value=comment_text on:input=move |ev| comment_text.set(event_target_value(&ev))></textarea>
            <button type="submit">"Comment"</button>
        </form>
        {move || problem().map(|err| view! { <ErrorNotice err/> })}
    }
}
