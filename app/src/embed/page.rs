//! `/embed?token=…`: a platform's user's view of the activity the token
//! allows, with a search in the query-bar language and keyset pages. No
//! Logbook chrome; the platform chooses theme, accent, font and language.

use super::{texts, Place, Texts, ViewerTable};
use crate::{
    api::{open_viewer, viewer_events},
    model::{Cursor, EmbedInfo, EventFilter, EventPage, PageRequest, ViewerProblem, PAGE_SIZE},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What one page load asks the server for.
#[derive(Clone, Debug, PartialEq)]
struct Ask {
    token: String,
    filter: Result<EventFilter, String>,
    page: PageRequest,
}

#[component]
pub fn EmbedPage() -> impl IntoView {
    let query = use_query_map();
    let place = Memo::new(move |_| query.with(|p| Place::from_params(|n| p.get(n))));
    let ask = Memo::new(move |_| {
        query.with(|p| {
            let cursor = |name: &str| p.get(name).and_then(|v| v.parse::<Cursor>().ok());
            Ask {
                token: p.get("token").unwrap_or_default(),
                filter: EventFilter::parse_query(&p.get("q").unwrap_or_default())
                    .map_err(|e| e.to_string()),
                page: PageRequest {
                    older_than: cursor("older"),
                    newer_than: cursor("newer"),
                    limit: PAGE_SIZE,
                },
            }
        })
    });
    let info = Resource::new(move || ask.get().token, open_viewer);
    let events = Resource::new(
        move || ask.get(),
        |ask| async move {
            match ask.filter {
                Ok(filter) => Ok(viewer_events(ask.token, filter, ask.page).await),
                Err(why) => Err(why),
            }
        },
    );
    view! {
        <Frame place=place.get_untracked()>
            <Suspense fallback=move || view! { <p class="notice">{texts(place.get_untracked().look.lang.as_deref()).loading}</p> }>
                {move || Suspend::new(async move {
                    let place = place.get_untracked();
                    let texts = texts(place.look.lang.as_deref());
                    match info.await {
                        Ok(Ok(info)) => {
                            let events = events.await;
                            view! { <Viewer info place texts events/> }.into_any()
                        }
                        Ok(Err(problem)) => view! { <Problem problem texts/> }.into_any(),
                        Err(err) => view! { <p class="notice error">{texts.failed}": "{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Frame>
    }
}

/// The viewer's root: its theme, accent, font and language.
#[component]
pub fn Frame(place: Place, children: Children) -> impl IntoView {
    let texts = texts(place.look.lang.as_deref());
    let class = if place.look.dark {
        "embed dark"
    } else {
        "embed"
    };
    view! {
        <div class=class style=place.look.style() lang=texts.lang>
            {children()}
        </div>
    }
}

#[component]
pub fn Problem(problem: ViewerProblem, texts: &'static Texts) -> impl IntoView {
    let text = match problem {
        ViewerProblem::Invalid => texts.invalid,
        ViewerProblem::Expired => texts.expired,
        ViewerProblem::Revoked => texts.revoked,
    };
    view! { <p class="notice error embed-problem" role="alert">{text}</p> }
}

#[component]
fn Viewer(
    info: EmbedInfo,
    place: Place,
    texts: &'static Texts,
    events: Result<Result<EventPage, crate::error::AppError>, String>,
) -> impl IntoView {
    let export = info.export.then(|| {
        let link = |format: &'static str| {
            let href = place.href(&format!("/api/embed/export/{format}"), None);
            view! { <a class="button" href=href download>{format.to_uppercase()}</a> }
        };
        view! {
            <span class="embed-export">{texts.export}": "{link("csv")}" "{link("xlsx")}" "{link("json")}</span>
        }
    });
    let body = match events {
        Ok(Ok(page)) => {
            let newer = page
                .newer
                .map(|c| place.href("/embed", Some(("newer", &c))));
            let older = page
                .older
                .map(|c| place.href("/embed", Some(("older", &c))));
            view! {
                <ViewerTable events=page.events place=place.clone() texts/>
                <nav class="pager" aria-label="Pages">
                    {newer.map(|href| view! { <a href=href rel="prev" class="newer">{texts.newer}</a> })}
                    {older.map(|href| view! { <a href=href rel="next" class="older">{texts.older}</a> })}
                </nav>
            }
            .into_any()
        }
        Ok(Err(err)) => {
            view! { <p class="notice error">{texts.failed}": "{err.to_string()}</p> }.into_any()
        }
        Err(why) => {
            view! { <p class="notice error" role="alert">{texts.bad_query}": "{why}</p> }.into_any()
        }
    };
    view! {
        <header class="embed-head">
            <h1>{texts.title}" · "{info.tenant}</h1>
            <form method="get" action="/embed" class="embed-search" role="search">
                <input type="hidden" name="token" value=place.token.clone()/>
                {place.look.to_params().into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                <input type="search" name="q" value=place.q.clone() aria-label=texts.search_label placeholder=texts.search_placeholder/>
                <button type="submit">{texts.search}</button>
            </form>
            {export}
        </header>
        {body}
    }
}
