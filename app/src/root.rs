//! The HTML shell, the router, and the top bar that knows who is signed in.

use crate::{
    api::{current_viewer, SignOut},
    embed::{EmbedEventPage, EmbedPage},
    model::{Permission, Viewer},
    pages::{
        AccountPage, AlertsPage, AnalyticsPage, ApiKeysPage, EventDetailsPage, IntegrityPage,
        LogPage, NoAccessPage, ResourceHistoryPage, RetentionPage, SignInPage, TeamPage,
    },
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    hooks::use_location,
    path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
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

/// The page's Content-Security-Policy: scripts only with this render's
/// nonce (the hydration scripts carry it) and what they load; no framing.
/// Styles may be inline: the charts' SVG carries style attributes.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
        &*nonce
    );
    if let (Some(options), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        options.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = Resource::new(|| (), |_| current_viewer());
    // Pages ask it what to offer (e.g. export buttons); the server still checks.
    provide_context(ViewerResource(viewer));
    view! {
        <Stylesheet id="leptos" href="/pkg/logbook.css"/>
        <Title text="Logbook"/>
        <Router>
            <TopBar viewer/>
            <main>
                <Routes fallback=|| view! { <p class="notice">"Page not found."</p> }>
                    <Route path=path!("/") view=LogPage/>
                    <Route path=path!("/analytics") view=AnalyticsPage/>
                    <Route path=path!("/events/:id") view=EventDetailsPage/>
                    <Route path=path!("/resource") view=ResourceHistoryPage/>
                    <Route path=path!("/integrity") view=IntegrityPage/>
                    <Route path=path!("/retention") view=RetentionPage/>
                    <Route path=path!("/team") view=TeamPage/>
                    <Route path=path!("/alerts") view=AlertsPage/>
                    <Route path=path!("/keys") view=ApiKeysPage/>
                    <Route path=path!("/account") view=AccountPage/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/no-access") view=NoAccessPage/>
                    <Route path=path!("/embed") view=EmbedPage/>
                    <Route path=path!("/embed/events/:id") view=EmbedEventPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// Logbook's own bar; none in the embedded viewer, which shows a
/// platform's activity inside the platform's own pages.
#[component]
fn TopBar(viewer: Resource<Result<Viewer, crate::error::AppError>>) -> impl IntoView {
    let embedded = use_location()
        .pathname
        .get_untracked()
        .starts_with("/embed");
    (!embedded).then(|| {
        view! {
            <header class="topbar">
                <A href="/" attr:class="brand">"Logbook"</A>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        viewer.await.ok().map(|viewer| view! { <Nav viewer/> })
                    })}
                </Transition>
            </header>
        }
    })
}

/// Who is signed in, loaded once per page load and shared through context.
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<Viewer, crate::error::AppError>>);

impl ViewerResource {
    /// Whether the signed-in person holds `p` (false while unknown).
    pub async fn can(self, p: Permission) -> bool {
        self.0.await.map(|v| v.can(p)).unwrap_or(false)
    }
}

/// Links for what the viewer may open, and who they are.
#[component]
fn Nav(viewer: Viewer) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            hard_navigate("/sign-in");
        }
    });
    let reads = viewer.can(Permission::ViewLogs);
    let keys = viewer.can(Permission::ManageKeys);
    let alerts = viewer.can(Permission::ManageAlerts);
    let admin = viewer.is_admin();
    let tenant = viewer.tenant.as_ref().map(|t| t.name.clone());
    view! {
        <nav>
            {reads.then(|| view! { <A href="/">"Log"</A> <A href="/analytics">"Analytics"</A> <A href="/integrity">"Integrity"</A> <A href="/retention">"Retention"</A> })}
            {alerts.then(|| view! { <A href="/alerts">"Alerts"</A> })}
            {keys.then(|| view! { <A href="/keys">"API keys"</A> })}
            {admin.then(|| view! { <A href="/team">"Team"</A> })}
        </nav>
        <div class="who">
            {tenant.map(|name| view! { <span class="tenant-badge" title="You see this tenant only">{name}</span> })}
            <A href="/account" attr:class="me">{viewer.email.clone()}</A>
            <span class="role">{viewer.role.label()}</span>
            <ActionForm action=sign_out attr:class="sign-out">
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

/// A full page load, so every resource (the top bar's viewer included) is
/// fetched again under the new session.
pub fn hard_navigate(to: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(to);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}
