//! Team members (admins only): create, change role, tenant and permissions,
//! deactivate, reset password. Every change is in Logbook's own log and takes
//! effect on the member's next request (sessions re-read the account).

use crate::{
    error::AppError,
    model::{MemberInfo, Permission, Role},
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// What an admin fills in for a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberForm {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Tenant slug: required for partners, refused for admins and auditors.
    pub tenant: Option<String>,
    pub permissions: Vec<Permission>,
}

/// A new member with the temporary password to hand over (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedMember {
    pub id: i64,
    pub email: String,
    pub password: String,
}

#[server(prefix = "/api", endpoint = "team/list", input = Json)]
pub async fn list_members() -> Result<Vec<MemberInfo>, AppError> {
    let access = super::access::require_admin("manage the team").await?;
    Ok(access.store.list_members().await?)
}

#[server(prefix = "/api", endpoint = "team/create", input = Json)]
pub async fn create_member(form: MemberForm) -> Result<CreatedMember, AppError> {
    use crate::auth::{generate_password, hash_password_async, Entry};
    use crate::store::NewAccount;
    let access = super::access::require_admin("manage the team").await?;
    let checked = super::team_rules::check(&*access.store, &form).await?;
    let password = generate_password();
    let id = access
        .store
        .create_account(&NewAccount {
            email: checked.email.clone(),
            name: checked.name.clone(),
            role: form.role,
            tenant_id: checked.tenant_id,
            permissions: checked.permissions.clone(),
            password_hash: hash_password_async(password.clone()).await,
            created_by: Some(access.member.account_id()),
        })
        .await
        .map_err(|e| super::access::fail(e.into()))?;
    let entry = Entry::new(
        "team.member.created",
        "created",
        format!("Created {} as {}", checked.email, form.role.label()),
    )
    .resource("member", id, Some(checked.email.clone()))
    .change(serde_json::Value::Null, checked.snapshot(form.role, true));
    access.log(entry).await?;
    Ok(CreatedMember {
        id,
        email: checked.email,
        password,
    })
}

#[server(prefix = "/api", endpoint = "team/update", input = Json)]
pub async fn update_member(id: i64, form: MemberForm) -> Result<(), AppError> {
    use crate::auth::Entry;
    use crate::store::MemberChange;
    let access = super::access::require_admin("manage the team").await?;
    let before = super::team_rules::find(&*access.store, id).await?;
    if id == access.member.account_id() && form.role != before.role {
        return Err(super::access::fail(AppError::BadRequest(
            "You cannot change your own role; ask another admin.".into(),
        )));
    }
    let checked = super::team_rules::check(&*access.store, &form).await?;
    access
        .store
        .update_member(
            id,
            &MemberChange {
                name: checked.name.clone(),
                role: form.role,
                tenant_id: checked.tenant_id,
                permissions: checked.permissions.clone(),
            },
        )
        .await?;
    let entry = Entry::new(
        "team.member.updated",
        "updated",
        format!("Changed {}", before.email),
    )
    .resource("member", id, Some(before.email.clone()))
    .change(
        super::team_rules::snapshot_of(&before),
        checked.snapshot(form.role, before.active),
    );
    access.log(entry).await
}

/// Deactivating ends the member's sessions at once; reactivating restores access.
#[server(prefix = "/api", endpoint = "team/active", input = Json)]
pub async fn set_member_active(id: i64, active: bool) -> Result<(), AppError> {
    use crate::{auth::Entry, model::Severity};
    let access = super::access::require_admin("manage the team").await?;
    if id == access.member.account_id() && !active {
        return Err(super::access::fail(AppError::BadRequest(
            "You cannot deactivate yourself.".into(),
        )));
    }
    let member = super::team_rules::find(&*access.store, id).await?;
    let now = chrono::Utc::now().timestamp_micros();
    access.store.set_active(id, active, now).await?;
    let (action, verb) = if active {
        ("team.member.reactivated", "Reactivated")
    } else {
        ("team.member.deactivated", "Deactivated")
    };
    let entry = Entry::new(action, "updated", format!("{verb} {}", member.email))
        .severity(Severity::Notice)
        .resource("member", id, Some(member.email.clone()))
        .change(
            serde_json::json!({ "active": member.active }),
            serde_json::json!({ "active": active }),
        );
    access.log(entry).await
}

/// A new temporary password (shown once); the member's sessions end.
#[server(prefix = "/api", endpoint = "team/reset_password", input = Json)]
pub async fn reset_member_password(id: i64) -> Result<String, AppError> {
    use crate::{
        auth::{generate_password, hash_password_async, Entry},
        model::Severity,
    };
    let access = super::access::require_admin("manage the team").await?;
    let member = super::team_rules::find(&*access.store, id).await?;
    let password = generate_password();
    access
        .store
        .set_password(id, &hash_password_async(password.clone()).await, true)
        .await?;
    let entry = Entry::new(
        "team.member.password_reset",
        "updated",
        format!("Reset the password of {}", member.email),
    )
    .severity(Severity::Notice)
    .resource("member", id, Some(member.email));
    access.log(entry).await?;
    Ok(password)
}
