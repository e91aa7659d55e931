//! Sign-in: email and password, then a one-time code if the account has them.

use crate::{
    api::{SignIn, SignInStep, VerifyCode},
    hard_navigate,
    ui::ErrorNotice,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    // Only paths on this site: never an open redirect.
    let next = move || {
        query
            .get_untracked()
            .get("next")
            .and_then(|n| crate::model::local_path(&n).map(str::to_string))
            .unwrap_or_else(|| "/".into())
    };
    let sign_in = ServerAction::<SignIn>::new();
    let verify = ServerAction::<VerifyCode>::new();
    let needs_code = RwSignal::new(false);
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(SignInStep::SignedIn)) => hard_navigate(&next()),
        Some(Ok(SignInStep::CodeRequired)) => needs_code.set(true),
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = verify.value().get() {
            hard_navigate(&next());
        }
    });
    // Set once hydrated, so tests (and styles) can tell the form is live.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let error = move |value: Option<Result<_, crate::error::AppError>>| {
        value
            .and_then(Result::err)
            .map(|err| view! { <ErrorNotice err/> })
    };
    view! {
        <section class="sign-in" data-ready=move || ready.get().to_string()>
            <h1>"Sign in to Logbook"</h1>
            <Show
                when=move || needs_code.get()
                fallback=move || view! {
                    <ActionForm action=sign_in attr:class="card">
                        <label>"Email"
                            <input type="email" name="email" autocomplete="username" required autofocus/>
                        </label>
                        <label>"Password"
                            <input type="password" name="password" autocomplete="current-password" required/>
                        </label>
                        {move || error(sign_in.value().get().map(|r| r.map(|_| ())))}
                        <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
                    </ActionForm>
                }
            >
                <ActionForm action=verify attr:class="card">
                    <p>"Enter the 6-digit code from your authenticator app."</p>
                    <label>"One-time code"
                        <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required autofocus/>
                    </label>
                    {move || error(verify.value().get())}
                    <button type="submit" disabled=move || verify.pending().get()>"Verify"</button>
                </ActionForm>
            </Show>
        </section>
    }
}
