//! The inputs of a member form (name, role, tenant, permissions), bound to signals.

use crate::model::{Permission, Role, Tenant};
use leptos::prelude::*;

/// The editable parts of a member, as signals the form writes.
#[derive(Clone, Copy)]
pub struct MemberDraft {
    pub name: RwSignal<String>,
    pub role: RwSignal<Role>,
    pub tenant: RwSignal<String>,
    pub permissions: RwSignal<Vec<Permission>>,
}

impl MemberDraft {
    pub fn new(
        name: String,
        role: Role,
        tenant: Option<String>,
        permissions: Vec<Permission>,
    ) -> Self {
        MemberDraft {
            name: RwSignal::new(name),
            role: RwSignal::new(role),
            tenant: RwSignal::new(tenant.unwrap_or_default()),
            permissions: RwSignal::new(permissions),
        }
    }

    pub fn tenant(&self) -> Option<String> {
        Some(self.tenant.get_untracked()).filter(|t| !t.is_empty())
    }
}

#[component]
pub fn MemberFields(draft: MemberDraft, tenants: Vec<Tenant>) -> impl IntoView {
    let MemberDraft {
        name,
        role,
        tenant,
        permissions,
    } = draft;
    view! {
        <label>"Name" <input bind:value=name required/></label>
        <label>"Role"
            <select on:change=move |ev| {
                if let Ok(r) = event_target_value(&ev).parse::<Role>() {
                    role.set(r);
                    // A new role starts from everything it allows.
                    permissions.set(r.ceiling().to_vec());
                    if r.sees_all_tenants() { tenant.set(String::new()); }
                }
            }>
                {Role::ALL.iter().map(|r| {
                    let r = *r;
                    view! { <option value=r.as_str() selected=move || role.get() == r>{r.label()}</option> }
                }).collect_view()}
            </select>
        </label>
        <label>"Tenant"
            <select
                disabled=move || role.get().sees_all_tenants()
                on:change=move |ev| tenant.set(event_target_value(&ev))
            >
                <option value="" selected=move || tenant.get().is_empty()>"None"</option>
                {tenants.into_iter().map(|t| {
                    let slug = t.slug.clone();
                    let is_chosen = slug.clone();
                    view! { <option value=slug selected=move || tenant.get() == is_chosen>{t.name}</option> }
                }).collect_view()}
            </select>
        </label>
        <fieldset class="permissions">
            <legend>"Permissions"</legend>
            {Permission::ALL.iter().map(|p| {
                let p = *p;
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            prop:checked=move || permissions.get().contains(&p)
                            disabled=move || !role.get().ceiling().contains(&p)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                permissions.update(|ps| {
                                    ps.retain(|x| *x != p);
                                    if on { ps.push(p); }
                                });
                            }
                        />
                        {p.label()}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}
