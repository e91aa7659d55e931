//! The signed-in person's own account: one-time codes and password.

use crate::{
    api::{BeginTotp, ChangePassword, ConfirmTotp, DisableTotp},
    hard_navigate,
    model::Viewer,
    ui::ErrorNotice,
    ViewerResource,
};
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    // The top bar's viewer, already loaded for this page.
    let viewer = expect_context::<ViewerResource>().0;
    view! {
        <section class="account">
            <h1>"Your account"</h1>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match viewer.await {
                        Ok(v) => view! {
                            <dl class="fields">
                                <dt>"Email"</dt><dd>{v.email.clone()}</dd>
                                <dt>"Name"</dt><dd>{v.name.clone()}</dd>
                                <dt>"Role"</dt><dd>{v.role.label()}</dd>
                                <dt>"Tenant"</dt><dd>{v.tenant.as_ref().map_or("All tenants".to_string(), |t| t.name.clone())}</dd>
                                <dt>"Permissions"</dt>
                                <dd>{v.permissions.iter().map(|p| p.label()).collect::<Vec<_>>().join(", ")}</dd>
                            </dl>
                            <OneTimeCodes viewer=v.clone()/>
                            <PasswordForm/>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn OneTimeCodes(viewer: Viewer) -> impl IntoView {
    let begin = ServerAction::<BeginTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let enabled = RwSignal::new(viewer.totp_enabled);
    Effect::new(move |_| {
        if let Some(Ok(())) = confirm.value().get() {
            enabled.set(true);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = disable.value().get() {
            enabled.set(false);
        }
    });
    let enrolment = move || {
        match begin.value().get() {
        Some(Ok(e)) if !enabled.get() => view! {
            <div class="enrol">
                <p>"Scan this code with an authenticator app, or type the secret in."</p>
                <div class="qr" inner_html=e.qr_svg.clone()></div>
                <p>"Secret: "<code class="secret">{e.secret.clone()}</code></p>
                <ActionForm action=confirm attr:class="card">
                    <label>"Code from the app"
                        <input name="code" inputmode="numeric" autocomplete="one-time-code" required/>
                    </label>
                    {move || confirm.value().get().and_then(Result::err).map(|err| view! { <ErrorNotice err/> })}
                    <button type="submit">"Turn on"</button>
                </ActionForm>
            </div>
        }
        .into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        _ => ().into_any(),
    }
    };
    view! {
        <h2>"One-time codes"</h2>
        <Show
            when=move || enabled.get()
            fallback=move || view! {
                <p>"Off. With one-time codes on, signing in also asks for a code from your phone."</p>
                <button type="button" on:click=move |_| { begin.dispatch(BeginTotp {}); }>"Set up one-time codes"</button>
                {enrolment}
            }
        >
            <p class="chain-ok">"On: signing in asks for a code."</p>
            <ActionForm action=disable attr:class="card">
                <label>"Current code" <input name="code" inputmode="numeric" required/></label>
                {move || disable.value().get().and_then(Result::err).map(|err| view! { <ErrorNotice err/> })}
                <button type="submit">"Turn off"</button>
            </ActionForm>
        </Show>
    }
    .into_any()
}

#[component]
fn PasswordForm() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    Effect::new(move |_| {
        // Changing the password ends every session, this one included.
        if let Some(Ok(())) = change.value().get() {
            hard_navigate("/sign-in");
        }
    });
    view! {
        <h2>"Password"</h2>
        <ActionForm action=change attr:class="card">
            <label>"Current password" <input type="password" name="current" autocomplete="current-password" required/></label>
            <label>"New password" <input type="password" name="new" autocomplete="new-password" minlength="10" required/></label>
            {move || change.value().get().and_then(Result::err).map(|err| view! { <ErrorNotice err/> })}
            <button type="submit">"Change password"</button>
        </ActionForm>
    }
    .into_any()
}
