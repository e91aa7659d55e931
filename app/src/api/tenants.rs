//! Per-tenant retention, legal hold and redaction words: read by everyone who
//! reads logs, changed by admins only, every change in Logbook's own log.

use crate::{
    error::AppError,
    model::{SettingsForm, SettingsOverview},
};
use leptos::{prelude::*, server_fn::codec::Json};

/// Every visible tenant's settings and the deployment's default retention.
#[server(prefix = "/api", endpoint = "tenants/settings", input = Json)]
pub async fn load_settings() -> Result<SettingsOverview, AppError> {
    use crate::model::{Permission, Role};
    let access = super::access::require(Permission::ViewLogs, "see retention").await?;
    let policy = super::access::retention_policy()?;
    Ok(SettingsOverview {
        default_days: policy.default_days,
        tenants: access.store.tenant_settings(&access.scope()).await?,
        can_edit: access.member.role() == Role::Admin,
    })
}

/// Changes one tenant's settings (admins only). A retention or legal-hold
/// change and a redaction change are each logged with before and after.
#[server(prefix = "/api", endpoint = "tenants/update_settings", input = Json)]
pub async fn update_settings(tenant: String, form: SettingsForm) -> Result<(), AppError> {
    use crate::{auth::Entry, model::Severity};
    use serde_json::json;
    let access = super::access::require_admin("change retention").await?;
    let form = form
        .checked()
        .map_err(|why| super::access::fail(AppError::BadRequest(why)))?;
    let tenant = access.visible_tenant(&tenant).await?;
    let default_days = super::access::retention_policy()?.default_days;
    let before = access
        .store
        .tenant_settings(&crate::store::TenantScope::tenant(tenant.id))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    access
        .store
        .update_tenant_settings(
            tenant.id,
            form.retention,
            form.legal_hold,
            &form.redaction_words,
        )
        .await?;
    let retention_of = |retention: crate::model::Retention, hold: bool| json!({ "retention": retention.label(default_days), "legal_hold": hold });
    if (before.retention, before.legal_hold) != (form.retention, form.legal_hold) {
        let description = format!(
            "Retention of {} set to {}{}",
            tenant.slug,
            form.retention.label(default_days),
            if form.legal_hold {
                ", under legal hold"
            } else {
                ""
            }
        );
        let entry = Entry::new("retention.changed", "retention_changed", description)
            .severity(Severity::Notice)
            .resource("tenant", &tenant.slug, Some(tenant.name.clone()))
            .change(
                retention_of(before.retention, before.legal_hold),
                retention_of(form.retention, form.legal_hold),
            );
        access.log(entry).await?;
    }
    if before.redaction_words != form.redaction_words {
        let entry = Entry::new(
            "redaction.changed",
            "redaction_changed",
            format!("Redaction words of {} changed", tenant.slug),
        )
        .severity(Severity::Notice)
        .resource("tenant", &tenant.slug, Some(tenant.name.clone()))
        .change(
            json!({ "words": before.redaction_words }),
            json!({ "words": form.redaction_words }),
        );
        access.log(entry).await?;
    }
    Ok(())
}
