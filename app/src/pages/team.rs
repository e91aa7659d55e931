//! Team (admins): who has an account, with which role, tenant and permissions.

use crate::{
    api::{
        list_members, list_tenants, CreateMember, MemberForm, ResetMemberPassword, SetMemberActive,
        UpdateMember,
    },
    model::{MemberInfo, Role, Tenant, SELF_TENANT},
    ui::{ErrorNotice, LocalTime, MemberDraft, MemberFields},
};
use leptos::prelude::*;

#[component]
pub fn TeamPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let members = Resource::new(move || changed.get(), |_| list_members());
    let tenants = Resource::new(|| (), |_| list_tenants());
    view! {
        <section class="team">
            <h1>"Team"</h1>
            <p class="lead">"Changes take effect on the member's next request. Every change is recorded in Logbook's own log."</p>
            <Suspense fallback=|| view! { <p class="notice">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let tenants: Vec<Tenant> = match tenants.await {
                        Ok(t) => t.into_iter().filter(|t| t.slug != SELF_TENANT).collect(),
                        Err(err) => return view! { <ErrorNotice err/> }.into_any(),
                    };
                    match members.await {
                        Ok(members) => view! {
                            <NewMember tenants=tenants.clone() changed/>
                            <table class="members">
                                <thead><tr>
                                    <th scope="col">"Email"</th><th scope="col">"Details"</th>
                                    <th scope="col">"Status"</th><th scope="col">"Last sign-in"</th><th></th>
                                </tr></thead>
                                <tbody>
                                    {members.into_iter().map(|member| view! {
                                        <MemberRow member tenants=tenants.clone() changed/>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(err) => view! { <ErrorNotice err/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

fn form(email: String, draft: MemberDraft) -> MemberForm {
    MemberForm {
        email,
        name: draft.name.get_untracked(),
        role: draft.role.get_untracked(),
        tenant: draft.tenant(),
        permissions: draft.permissions.get_untracked(),
    }
}

#[component]
fn NewMember(tenants: Vec<Tenant>, changed: RwSignal<u32>) -> impl IntoView {
    let create = ServerAction::<CreateMember>::new();
    let email = RwSignal::new(String::new());
    let draft = MemberDraft::new(
        String::new(),
        Role::Partner,
        None,
        Role::Partner.ceiling().to_vec(),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let result = move || match create.value().get() {
        Some(Ok(created)) => view! {
            <p class="notice success" role="status">
                "Created "{created.email}". Temporary password (shown once): "
                <code class="secret">{created.password}</code>
            </p>
        }
        .into_any(),
        Some(Err(err)) => view! { <ErrorNotice err/> }.into_any(),
        None => ().into_any(),
    };
    view! {
        <details class="card new-member">
            <summary>"Add a member"</summary>
            <form on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch(CreateMember { form: form(email.get_untracked(), draft) });
            }>
                <label>"Email" <input type="email" bind:value=email required/></label>
                <MemberFields draft tenants/>
                <button type="submit" disabled=move || create.pending().get()>"Create member"</button>
            </form>
            {result}
        </details>
    }
    .into_any()
}

#[component]
fn MemberRow(member: MemberInfo, tenants: Vec<Tenant>, changed: RwSignal<u32>) -> impl IntoView {
    let update = ServerAction::<UpdateMember>::new();
    let active = ServerAction::<SetMemberActive>::new();
    let reset = ServerAction::<ResetMemberPassword>::new();
    let id = member.id;
    let draft = MemberDraft::new(
        member.name.clone(),
        member.role,
        member.tenant.clone(),
        member.permissions.iter().collect(),
    );
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(())))
            || matches!(active.value().get(), Some(Ok(())))
        {
            changed.update(|n| *n += 1);
        }
    });
    let email = member.email.clone();
    let was_active = member.active;
    let messages = move || {
        let err = update
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| active.value().get().and_then(Result::err))
            .or_else(|| reset.value().get().and_then(Result::err));
        let password = reset.value().get().and_then(Result::ok);
        view! {
            {err.map(|err| view! { <ErrorNotice err/> })}
            {password.map(|p| view! {
                <p class="notice success" role="status">"New temporary password (shown once): "<code class="secret">{p}</code></p>
            })}
        }
    };
    view! {
        <tr data-member=member.email.clone() class:inactive=!member.active>
            <th scope="row">{member.email.clone()}<span class="muted">{if member.totp_enabled { " · codes on" } else { "" }}</span></th>
            <td>
                <form class="member-edit" on:submit=move |ev| {
                    ev.prevent_default();
                    update.dispatch(UpdateMember { id, form: form(email.clone(), draft) });
                }>
                    <MemberFields draft tenants/>
                    <button type="submit">"Save"</button>
                </form>
                {messages}
            </td>
            <td>{if member.active { "Active" } else { "Deactivated" }}</td>
            <td>{member.last_sign_in_at.and_then(chrono::DateTime::from_timestamp_micros).map(|at| view! { <LocalTime at/> })}</td>
            <td class="actions">
                <button type="button" on:click=move |_| { active.dispatch(SetMemberActive { id, active: !was_active }); }>
                    {if was_active { "Deactivate" } else { "Reactivate" }}
                </button>
                <button type="button" on:click=move |_| { reset.dispatch(ResetMemberPassword { id }); }>"Reset password"</button>
            </td>
        </tr>
    }
    .into_any()
}
