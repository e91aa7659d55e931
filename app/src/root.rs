//! The HTML shell and the router.

use crate::pages::{EventDetailsPage, IntegrityPage, LogPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/logbook.css"/>
        <Title text="Logbook"/>
        <Router>
            <header class="topbar">
                <A href="/" attr:class="brand">"Logbook"</A>
                <nav>
                    <A href="/">"Log"</A>
                    <A href="/integrity">"Integrity"</A>
                </nav>
            </header>
            <main>
                <Routes fallback=|| view! { <p class="notice">"Page not found."</p> }>
                    <Route path=path!("/") view=LogPage/>
                    <Route path=path!("/events/:id") view=EventDetailsPage/>
                    <Route path=path!("/integrity") view=IntegrityPage/>
                </Routes>
            </main>
        </Router>
    }
}
