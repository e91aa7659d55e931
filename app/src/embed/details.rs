//! `/embed/events/<id>?token=…`: one event the token allows, with what
//! changed, in the viewer's language.

use super::{texts, Frame, Place, Problem};
use crate::{
    api::{open_viewer, viewer_event},
    error::AppError,
    model::Event,
    ui::{ChangeLabels, ChangesTable},
};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn EmbedEventPage() -> impl IntoView {
    let query = use_query_map();
    let params = use_params_map();
    let place = Memo::new(move |_| query.with(|p| Place::from_params(|n| p.get(n))));
    let info = Resource::new(move || place.get().token, open_viewer);
    let event = Resource::new(
        move || {
            (
                place.get().token,
                params.get().get("id").unwrap_or_default(),
            )
        },
        |(token, id)| viewer_event(token, id),
    );
    view! {
        <Frame place=place.get_untracked()>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let place = place.get_untracked();
                    let texts = texts(place.look.lang.as_deref());
                    let back = place.href("/embed", None);
                    match (info.await, event.await) {
                        (Ok(Err(problem)), _) => view! { <Problem problem texts/> }.into_any(),
                        (_, Ok(event)) => view! {
                            <p><a href=back class="back">{texts.back}</a></p>
                            <Details event texts/>
                        }.into_any(),
                        (_, Err(AppError::NotFound)) => view! {
                            <p><a href=back class="back">{texts.back}</a></p>
                            <p class="notice">{texts.not_found}</p>
                        }.into_any(),
                        (_, Err(err)) => view! { <p class="notice error">{texts.failed}": "{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Frame>
    }
}

#[component]
fn Details(event: Event, texts: &'static super::Texts) -> impl IntoView {
    let labels = ChangeLabels {
        field: texts.field,
        before: texts.before,
        after: texts.after,
        none: texts.no_changes,
    };
    let rows = [
        (
            texts.time,
            event
                .occurred_at
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
        ),
        (texts.actor, event.actor.label().to_string()),
        (texts.action, event.action.clone()),
        (
            texts.resource,
            event
                .resource
                .as_ref()
                .map(|r| r.label())
                .unwrap_or_default(),
        ),
        (texts.outcome, event.outcome.as_str().to_string()),
        (texts.ip, event.ip.clone().unwrap_or_default()),
    ];
    view! {
        <h1>{event.description.clone()}</h1>
        <dl class="fields">
            {rows.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
        <h2>{texts.changes}</h2>
        <ChangesTable before=event.before after=event.after labels/>
    }
}
