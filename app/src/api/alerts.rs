//! Alerts: rules, destinations, test-firing and the recent deliveries.
//! Admins manage every tenant's and staff-wide ones; partners with the
//! permission their own tenant's. Every change goes to Logbook's own log.

use crate::{
    error::AppError,
    model::{AlertDelivery, AlertDestination, AlertRule, DestinationKind, GroupBy, Tenant},
};
use leptos::{prelude::*, server_fn::codec::Json};
use serde::{Deserialize, Serialize};

/// Everything the Alerts page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertsOverview {
    pub rules: Vec<AlertRule>,
    pub destinations: Vec<AlertDestination>,
    pub deliveries: Vec<AlertDelivery>,
    /// Tenants a rule or destination may be limited to.
    pub tenants: Vec<Tenant>,
    /// Whether the caller may make staff-wide (all-tenant) rules.
    pub staff_wide: bool,
}

/// A rule as the page's form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleForm {
    pub id: Option<i64>,
    pub name: String,
    /// Tenant slug; none: every tenant (admins only).
    pub tenant: Option<String>,
    /// A query-bar line.
    pub conditions: String,
    /// "At least `threshold` within `window_minutes` per `group_by`".
    pub threshold: Option<u32>,
    pub window_minutes: Option<u32>,
    pub group_by: Option<GroupBy>,
    /// "Logging stopped" after this many minutes without events.
    pub silence_minutes: Option<u32>,
    pub enabled: bool,
    pub destinations: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationForm {
    pub name: String,
    pub tenant: Option<String>,
    pub kind: DestinationKind,
    pub target: String,
    pub secret: Option<String>,
}

/// What a rule would have matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePreview {
    pub matched: i64,
    /// The log filtered to those events.
    pub href: String,
}

#[server(prefix = "/api", endpoint = "alerts/load", input = Json)]
pub async fn load_alerts() -> Result<AlertsOverview, AppError> {
    use crate::model::{Permission, SELF_TENANT};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    let scope = access.scope();
    let store = &access.store;
    let sealer = super::access::sealer()?;
    let destinations = store
        .alert_destinations(&scope)
        .await?
        .into_iter()
        .map(|d| opened(&sealer, d))
        .collect::<Result<_, _>>()?;
    Ok(AlertsOverview {
        rules: store.alert_rules(&scope).await?,
        destinations,
        deliveries: store.alert_deliveries(&scope, 50).await?,
        tenants: store
            .list_tenants(&scope)
            .await?
            .into_iter()
            .filter(|t| t.slug != SELF_TENANT || scope.is_all())
            .collect(),
        staff_wide: scope.is_all(),
    })
}

#[server(prefix = "/api", endpoint = "alerts/rules/save", input = Json)]
pub async fn save_alert_rule(form: RuleForm) -> Result<AlertRule, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    let input = super::alert_forms::rule_input(&access, &form).await?;
    let before = match form.id {
        Some(id) => access
            .store
            .alert_rules(&access.scope())
            .await?
            .into_iter()
            .find(|r| r.id == id),
        None => None,
    };
    let rule = access
        .store
        .save_alert_rule(&access.scope(), &input)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let (action, verb) = if before.is_some() {
        ("alert.rule_updated", "updated")
    } else {
        ("alert.rule_created", "created")
    };
    let entry = Entry::new(
        action,
        verb,
        format!(
            "{} alert rule \"{}\": {}",
            capital(verb),
            rule.name,
            rule.describe()
        ),
    )
    .severity(crate::model::Severity::Notice)
    .resource("alert_rule", rule.id, Some(rule.name.clone()))
    .change(
        serde_json::to_value(&before).unwrap_or_default(),
        serde_json::to_value(&rule).unwrap_or_default(),
    );
    access.log(entry).await?;
    Ok(rule)
}

#[server(prefix = "/api", endpoint = "alerts/rules/delete", input = Json)]
pub async fn delete_alert_rule(id: i64) -> Result<(), AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    let rule = access
        .store
        .delete_alert_rule(&access.scope(), id)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let entry = Entry::new(
        "alert.rule_deleted",
        "deleted",
        format!("Deleted alert rule \"{}\"", rule.name),
    )
    .severity(crate::model::Severity::Notice)
    .resource("alert_rule", rule.id, Some(rule.name.clone()))
    .change(
        serde_json::to_value(&rule).unwrap_or_default(),
        serde_json::Value::Null,
    );
    access.log(entry).await?;
    Ok(())
}

#[server(prefix = "/api", endpoint = "alerts/destinations/save", input = Json)]
pub async fn save_alert_destination(form: DestinationForm) -> Result<AlertDestination, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    let input = super::alert_forms::destination_input(&access, &form).await?;
    let saved = access
        .store
        .save_alert_destination(&access.scope(), &input)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let saved = opened(&super::access::sealer()?, saved)?;
    let entry = Entry::new(
        "alert.destination_created",
        "created",
        format!(
            "Created {} alert destination \"{}\" ({})",
            saved.kind.label(),
            saved.name,
            saved.shown_target()
        ),
    )
    .severity(crate::model::Severity::Notice)
    .resource("alert_destination", saved.id, Some(saved.name.clone()));
    access.log(entry).await?;
    Ok(saved)
}

#[server(prefix = "/api", endpoint = "alerts/destinations/delete", input = Json)]
pub async fn delete_alert_destination(id: i64) -> Result<(), AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    let gone = access
        .store
        .delete_alert_destination(&access.scope(), id)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let entry = Entry::new(
        "alert.destination_deleted",
        "deleted",
        format!("Deleted alert destination \"{}\"", gone.name),
    )
    .severity(crate::model::Severity::Notice)
    .resource("alert_destination", gone.id, Some(gone.name.clone()));
    access.log(entry).await?;
    Ok(())
}

/// How many events of the last 30 days the rule's conditions match.
#[server(prefix = "/api", endpoint = "alerts/rules/preview", input = Json)]
pub async fn preview_alert_rule(id: i64) -> Result<RulePreview, AppError> {
    use crate::model::{Permission, QuickRange};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    let rule = access
        .store
        .alert_rules(&access.scope())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let mut filter = rule
        .filter()
        .map_err(|why| super::access::fail(AppError::BadRequest(why)))?;
    filter.range = Some(QuickRange::Month);
    let counted = crate::analytics::counted_filter(&filter, chrono::Utc::now());
    let totals = access.store.tally_totals(&access.scope(), &counted).await?;
    Ok(RulePreview {
        matched: totals.events,
        href: crate::ui::log_href(&counted, None),
    })
}

/// Queues a test message to a destination; it travels the outbox like a
/// real notification and shows among the deliveries.
#[server(prefix = "/api", endpoint = "alerts/destinations/test", input = Json)]
pub async fn test_alert_destination(id: i64) -> Result<i64, AppError> {
    use crate::{auth::Entry, model::Permission};
    let access = super::access::require(Permission::ManageAlerts, "manage alerts").await?;
    // Each test reaches a third party (or the operator's SMTP server).
    let limiters = super::access::limiters()?;
    if let Err(wait) = limiters
        .test_sends
        .check(&access.member.account_id().to_string())
    {
        return Err(super::access::fail(AppError::TooManyRequests(format!(
            "Too many test messages: {}",
            crate::guard::wait_text(wait)
        ))));
    }
    let summary = format!(
        "Logbook can reach this destination (test sent by {})",
        access.member.email()
    );
    let now = chrono::Utc::now().timestamp_micros();
    let delivery = access
        .store
        .queue_test_message(&access.scope(), id, &summary, now)
        .await?
        .ok_or_else(|| super::access::fail(AppError::NotFound))?;
    let entry = Entry::new(
        "alert.destination_tested",
        "tested",
        format!("Sent a test message to alert destination {id}"),
    )
    .resource("alert_destination", id, None);
    access.log(entry).await?;
    Ok(delivery)
}

/// A stored destination as the browser may see it: its target opened,
/// then cut to what is safe to show.
#[cfg(feature = "ssr")]
fn opened(
    sealer: &crate::auth::Sealer,
    mut d: AlertDestination,
) -> Result<AlertDestination, AppError> {
    d.target = super::access::open_secret(sealer, &d.target)?;
    Ok(d.for_browser())
}

#[cfg(feature = "ssr")]
fn capital(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
