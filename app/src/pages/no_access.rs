//! Where staff and customers land: they have accounts, but no access to logs.

use crate::ViewerResource;
use leptos::prelude::*;

#[component]
pub fn NoAccessPage() -> impl IntoView {
    // The top bar's viewer, already loaded for this page.
    let viewer = expect_context::<ViewerResource>().0;
    view! {
        <section class="no-access">
            <h1>"No access"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    viewer.await.ok().map(|v| view! {
                        <p class="lead">
                            "You are signed in as "<strong>{v.email.clone()}</strong>" ("{v.role.label()}"). "
                            "This role has no access to activity logs or settings."
                        </p>
                    })
                })}
            </Suspense>
            <p>"If you need access, ask an administrator to change your role."</p>
        </section>
    }
}
