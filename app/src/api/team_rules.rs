//! Checks on an admin's member form, shared by create and update.

use super::{access::fail, team::MemberForm};
use crate::{
    auth::SELF_TENANT,
    error::AppError,
    model::{MemberInfo, Permissions, Role},
    store::Store,
};

pub(super) struct Checked {
    pub email: String,
    pub name: String,
    pub tenant_id: Option<i64>,
    pub tenant: Option<String>,
    pub permissions: Permissions,
}

impl Checked {
    /// What the self-log shows as the member's state after the change.
    pub(super) fn snapshot(&self, role: Role, active: bool) -> serde_json::Value {
        serde_json::json!({
            "name": self.name,
            "role": role.as_str(),
            "tenant": self.tenant,
            "permissions": self.permissions.to_db(),
            "active": active,
        })
    }
}

pub(super) fn snapshot_of(m: &MemberInfo) -> serde_json::Value {
    serde_json::json!({
        "name": m.name,
        "role": m.role.as_str(),
        "tenant": m.tenant,
        "permissions": m.permissions.to_db(),
        "active": m.active,
    })
}

fn bad(message: impl Into<String>) -> AppError {
    fail(AppError::BadRequest(message.into()))
}

pub(super) async fn check(store: &dyn Store, form: &MemberForm) -> Result<Checked, AppError> {
    let email = form.email.trim().to_lowercase();
    if !email.contains('@') || email.len() < 3 || email.contains(char::is_whitespace) {
        return Err(bad("Enter a valid email address."));
    }
    let name = form.name.trim().to_string();
    if name.is_empty() {
        return Err(bad("Enter the member's name."));
    }
    let slug = form
        .tenant
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let tenant_id = match (form.role, slug) {
        (Role::Admin | Role::Auditor, Some(_)) => {
            return Err(bad(format!(
                "{}s see every tenant; leave the tenant empty.",
                form.role.label()
            )))
        }
        (Role::Partner, None) => return Err(bad("Choose the partner's tenant.")),
        (_, Some(SELF_TENANT)) => {
            return Err(bad("Logbook's own log cannot be a member's tenant."))
        }
        (_, Some(slug)) => Some(
            store
                .tenant_by_slug(slug)
                .await?
                .ok_or_else(|| bad(format!("There is no tenant '{slug}'.")))?
                .id,
        ),
        (_, None) => None,
    };
    Ok(Checked {
        email,
        name,
        tenant_id,
        tenant: slug.map(str::to_string),
        permissions: Permissions::new(form.permissions.iter().copied()),
    })
}

pub(super) async fn find(store: &dyn Store, id: i64) -> Result<MemberInfo, AppError> {
    store
        .member_info(id)
        .await?
        .ok_or_else(|| fail(AppError::NotFound))
}
