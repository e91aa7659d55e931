//! Checking what the Alerts page sends before it reaches the store: each
//! mistake is answered with a sentence saying which field and why.

use super::{
    access::{fail, Access},
    alerts::{DestinationForm, RuleForm},
};
use crate::{
    error::AppError,
    model::{rule_conditions, Threshold, MAX_ALERT_WINDOW_SECS},
    store::{DestinationInput, RuleInput},
};

fn bad(why: impl Into<String>) -> AppError {
    fail(AppError::BadRequest(why.into()))
}

/// The tenant a rule or destination belongs to: a partner's own, always;
/// for staff the one named, or none (every tenant).
async fn owner(access: &Access, slug: Option<&str>) -> Result<Option<i64>, AppError> {
    if let Some(own) = access.scope().tenant_id() {
        return Ok(Some(own));
    }
    match slug.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => Ok(Some(access.visible_tenant(slug).await?.id)),
        None if access.scope().is_all() => Ok(None),
        None => Err(bad("choose a tenant")),
    }
}

/// Rules and destinations one tenant (or the staff-wide set) may have:
/// every rule is matched inside the ingest transaction all tenants share.
pub(super) const MAX_RULES: usize = 50;
pub(super) const MAX_DESTINATIONS: usize = 20;

/// Whether `tenant` (none: staff-wide) may have one more of `what`, given
/// the owners of those it has.
fn room<'a>(
    owners: impl Iterator<Item = Option<&'a crate::model::Tenant>>,
    tenant: Option<i64>,
    max: usize,
    what: &str,
) -> Result<(), AppError> {
    if owners.filter(|owner| owner.map(|t| t.id) == tenant).count() >= max {
        return Err(bad(format!(
            "a tenant has at most {max} {what}; delete one first"
        )));
    }
    Ok(())
}

fn minutes(value: Option<u32>, what: &str) -> Result<Option<u32>, AppError> {
    match value {
        None => Ok(None),
        Some(0) => Err(bad(format!("{what} must be at least one minute"))),
        Some(m) if m.saturating_mul(60) > MAX_ALERT_WINDOW_SECS => {
            Err(bad(format!("{what} can be at most 7 days")))
        }
        Some(m) => Ok(Some(m * 60)),
    }
}

pub(super) async fn rule_input(access: &Access, form: &RuleForm) -> Result<RuleInput, AppError> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(bad("name the rule after what it watches for"));
    }
    let conditions =
        rule_conditions(&form.conditions).map_err(|why| bad(format!("conditions: {why}")))?;
    let silence_secs = minutes(form.silence_minutes, "the quiet period")?;
    let window = minutes(form.window_minutes, "the window")?;
    let threshold = match (form.threshold, window, form.group_by) {
        (None, None, _) => None,
        (Some(count), Some(window_secs), Some(group_by)) if count >= 1 => Some(Threshold {
            count,
            window_secs,
            group_by,
        }),
        (Some(0), _, _) => return Err(bad("a threshold counts at least one event")),
        _ => {
            return Err(bad(
                "a threshold needs a count, a window and what to count per",
            ))
        }
    };
    if silence_secs.is_some() && (threshold.is_some() || !conditions.is.is_empty()) {
        return Err(bad(
            "a \"logging stopped\" rule watches a whole tenant: leave conditions and threshold empty",
        ));
    }
    if form.enabled && form.destinations.is_empty() {
        return Err(bad(
            "choose at least one destination, or save the rule disabled",
        ));
    }
    if form.destinations.len() > MAX_DESTINATIONS {
        return Err(bad(format!(
            "a rule sends to at most {MAX_DESTINATIONS} destinations"
        )));
    }
    let tenant_id = owner(access, form.tenant.as_deref()).await?;
    if form.id.is_none() {
        let rules = access.store.alert_rules(&access.scope()).await?;
        let owners = rules.iter().map(|r| r.tenant.as_ref());
        room(owners, tenant_id, MAX_RULES, "alert rules")?;
    }
    Ok(RuleInput {
        id: form.id,
        tenant_id,
        name: name.to_string(),
        conditions: conditions.to_query(),
        threshold,
        silence_secs,
        enabled: form.enabled,
        destinations: form.destinations.clone(),
        by: Some(access.member.account_id()),
    })
}

pub(super) async fn destination_input(
    access: &Access,
    form: &DestinationForm,
) -> Result<DestinationInput, AppError> {
    let name = form.name.trim();
    if name.is_empty() {
        return Err(bad("name the destination (e.g. \"Security team\")"));
    }
    crate::guard::check_destination(form.kind, &form.target, super::access::target_policy())
        .await
        .map_err(|why| bad(format!("target: {why}")))?;
    let sealer = super::access::sealer()?;
    let secret = form
        .secret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| sealer.seal(s));
    if form.kind == crate::model::DestinationKind::Telegram && secret.is_none() {
        return Err(bad("a Telegram destination needs the bot token"));
    }
    let tenant_id = owner(access, form.tenant.as_deref()).await?;
    let destinations = access.store.alert_destinations(&access.scope()).await?;
    let owners = destinations.iter().map(|d| d.tenant.as_ref());
    room(owners, tenant_id, MAX_DESTINATIONS, "alert destinations")?;
    Ok(DestinationInput {
        tenant_id,
        name: name.to_string(),
        kind: form.kind,
        // A Slack URL is itself the credential.
        target: match form.kind {
            crate::model::DestinationKind::Slack => sealer.seal(form.target.trim()),
            _ => form.target.trim().to_string(),
        },
        secret,
        by: Some(access.member.account_id()),
    })
}
