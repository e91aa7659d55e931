//! Alerts as the pages and the store see them: rules over events, where
//! their notifications go, and how each delivery went.

use super::{event::vocabulary, EventFilter, Field, Tenant};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

vocabulary!(
    /// How a notification is sent.
    DestinationKind, "destination kind", {
        Email => "email",
        Slack => "slack",
        Telegram => "telegram",
        Webhook => "webhook",
    }
);

vocabulary!(
    /// What a threshold counts per: "5 failed sign-ins *for one account*".
    GroupBy, "group by", {
        Actor => "actor",
        Ip => "ip",
        Tenant => "tenant",
    }
);

vocabulary!(
    /// Where one delivery stands. `Failed` means retries ran out: it stays
    /// listed with its error, never silently dropped.
    DeliveryStatus, "delivery status", {
        Pending => "pending",
        Sent => "sent",
        Failed => "failed",
    }
);

impl DestinationKind {
    pub fn label(self) -> &'static str {
        match self {
            DestinationKind::Email => "Email",
            DestinationKind::Slack => "Slack",
            DestinationKind::Telegram => "Telegram",
            DestinationKind::Webhook => "Webhook",
        }
    }

    /// What the destination's target field holds.
    pub fn target_hint(self) -> &'static str {
        match self {
            DestinationKind::Email => "addresses, comma-separated",
            DestinationKind::Slack => "incoming webhook URL",
            DestinationKind::Telegram => "chat id",
            DestinationKind::Webhook => "URL",
        }
    }

    /// What the secret field holds, if the kind has one.
    pub fn secret_hint(self) -> Option<&'static str> {
        match self {
            DestinationKind::Telegram => Some("bot token"),
            DestinationKind::Webhook => Some("signing secret"),
            DestinationKind::Email | DestinationKind::Slack => None,
        }
    }

    /// Checks a target for this kind; the message says what is wrong.
    pub fn check_target(self, target: &str) -> Result<(), String> {
        let target = target.trim();
        if target.is_empty() {
            return Err(format!("give the {}", self.target_hint()));
        }
        match self {
            DestinationKind::Email => {
                for address in target.split(',').map(str::trim) {
                    let valid = address
                        .split_once('@')
                        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
                    if !valid {
                        return Err(format!("'{address}' is not an email address"));
                    }
                }
                Ok(())
            }
            DestinationKind::Slack | DestinationKind::Webhook => {
                if target.starts_with("https://") || target.starts_with("http://") {
                    Ok(())
                } else {
                    Err("the URL must start with https:// or http://".into())
                }
            }
            DestinationKind::Telegram => {
                let digits = target.strip_prefix('-').unwrap_or(target);
                if (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
                    || target.starts_with('@')
                {
                    Ok(())
                } else {
                    Err("a Telegram chat id is a number (or @channel name)".into())
                }
            }
        }
    }
}

/// "At least `count` matching events within `window_secs`, per `group_by`."
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub count: u32,
    pub window_secs: u32,
    pub group_by: GroupBy,
}

/// The longest threshold window and silence period a rule may have.
pub const MAX_ALERT_WINDOW_SECS: u32 = 7 * 24 * 3600;

/// A rule as the Alerts page edits it. A rule either matches events
/// (`conditions`, optionally a `threshold`) or watches for silence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: i64,
    /// The tenant the rule is limited to; none: every tenant (staff only).
    pub tenant: Option<Tenant>,
    pub name: String,
    /// A query-bar line (`action:balance.* severity:critical`).
    pub conditions: String,
    pub threshold: Option<Threshold>,
    /// "Logging stopped": fire when a tenant that usually sends events has
    /// sent none for this long.
    pub silence_secs: Option<u32>,
    pub enabled: bool,
    pub destinations: Vec<i64>,
    /// Times the rule fired, ever (firings kept).
    pub fired: i64,
    pub last_fired_at: Option<i64>,
}

impl AlertRule {
    /// The rule's conditions as the log's filter, the tenant included.
    pub fn filter(&self) -> Result<EventFilter, String> {
        let mut filter = rule_conditions(&self.conditions)?;
        filter.tenant = self.tenant.as_ref().map(|t| t.slug.clone());
        Ok(filter)
    }

    /// One line saying what the rule does.
    pub fn describe(&self) -> String {
        if let Some(secs) = self.silence_secs {
            return format!("no events for {}", duration_text(secs));
        }
        let what = if self.conditions.trim().is_empty() {
            "any event".to_string()
        } else {
            self.conditions.clone()
        };
        match self.threshold {
            Some(t) => format!(
                "{} × {what} within {} per {}",
                t.count,
                duration_text(t.window_secs),
                t.group_by
            ),
            None => what,
        }
    }
}

/// Parses a rule's conditions: the query bar's language without time
/// bounds (a rule looks at each event as it arrives) or tags (people add
/// tags later, so they never match at arrival).
pub fn rule_conditions(query: &str) -> Result<EventFilter, String> {
    let filter = EventFilter::parse_query(query).map_err(|e| e.to_string())?;
    if filter.range.is_some() || filter.from.is_some() || filter.to.is_some() {
        return Err("a rule looks at events as they arrive: leave out range and occurred".into());
    }
    if !filter.is.get(Field::Tag).is_empty() || !filter.not.get(Field::Tag).is_empty() {
        return Err("tags are added after events arrive, so a rule cannot match on them".into());
    }
    if filter.tenant.is_some() {
        return Err("choose the tenant in the rule's tenant field, not in its conditions".into());
    }
    Ok(filter)
}

/// `90` → `1 min 30 s`, `7200` → `2 h`.
pub fn duration_text(secs: u32) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "min"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// A destination as listed: never its secret, only whether it has one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDestination {
    pub id: i64,
    pub tenant: Option<Tenant>,
    pub name: String,
    pub kind: DestinationKind,
    pub target: String,
    pub has_secret: bool,
    pub consecutive_failures: i64,
    /// Set after several failures in a row; cleared by the next success.
    pub failing_since: Option<i64>,
    pub last_error: Option<String>,
    pub last_success_at: Option<i64>,
}

impl AlertDestination {
    /// The destination as the browser may see it: the URL of a Slack or
    /// webhook destination cut to its host (its path is the secret).
    pub fn for_browser(mut self) -> AlertDestination {
        self.target = self.shown_target();
        self
    }

    /// Slack and webhook URLs carry their secret in the path: show the host.
    pub fn shown_target(&self) -> String {
        match self.kind {
            DestinationKind::Slack | DestinationKind::Webhook => {
                let rest = self.target.split_once("://").map_or("", |(_, r)| r);
                let host = rest.split('/').next().unwrap_or(rest);
                let scheme = self.target.split("://").next().unwrap_or("https");
                format!("{scheme}://{host}/…")
            }
            DestinationKind::Email | DestinationKind::Telegram => self.target.clone(),
        }
    }
}

/// One notification on its way (or sent, or given up on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDelivery {
    pub id: i64,
    pub rule: Option<String>,
    pub destination: String,
    pub summary: String,
    pub event_id: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub next_attempt_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_conditions_use_the_query_bar_but_refuse_time_bounds_tags_and_tenants() {
        let f = rule_conditions("action:balance.* -outcome:success").unwrap();
        assert_eq!(f.is.actions, vec!["balance.*".to_string()]);
        assert!(rule_conditions("").unwrap().is.is_empty());
        for bad in [
            "range:7d",
            "occurred:>=2026-01-01",
            "tag:fraud",
            "tenant:shop",
        ] {
            assert!(rule_conditions(bad).is_err(), "{bad} was accepted");
        }
        assert!(rule_conditions("outcome:maybe").is_err());
    }

    #[test]
    fn targets_are_checked_for_their_kind() {
        use DestinationKind::*;
        assert!(Email.check_target("a@x.io, b@y.org").is_ok());
        assert!(Email.check_target("a@x.io, nobody").is_err());
        assert!(Slack
            .check_target("https://hooks.slack.com/services/T/B/x")
            .is_ok());
        assert!(Webhook.check_target("ftp://x").is_err());
        assert!(Telegram.check_target("-100123").is_ok());
        assert!(Telegram.check_target("@ops_alerts").is_ok());
        assert!(Telegram.check_target("twelve").is_err());
        assert!(Email.check_target("  ").is_err());
    }

    #[test]
    fn a_rule_describes_itself_in_one_line() {
        let rule = AlertRule {
            id: 1,
            tenant: None,
            name: "Failed sign-ins".into(),
            conditions: "category:auth outcome:failure".into(),
            threshold: Some(Threshold {
                count: 5,
                window_secs: 600,
                group_by: GroupBy::Actor,
            }),
            silence_secs: None,
            enabled: true,
            destinations: vec![],
            fired: 0,
            last_fired_at: None,
        };
        assert_eq!(
            rule.describe(),
            "5 × category:auth outcome:failure within 10 min per actor"
        );
        let quiet = AlertRule {
            silence_secs: Some(7_200),
            threshold: None,
            ..rule
        };
        assert_eq!(quiet.describe(), "no events for 2 h");
        assert_eq!(duration_text(90), "1 min 30 s");
        assert_eq!(duration_text(86_400 + 60), "1 d 1 min");
    }

    #[test]
    fn a_webhook_url_is_shown_without_its_path() {
        let d = AlertDestination {
            id: 1,
            tenant: None,
            name: "ops".into(),
            kind: DestinationKind::Slack,
            target: "https://hooks.slack.com/services/T0/B0/secret".into(),
            has_secret: false,
            consecutive_failures: 0,
            failing_since: None,
            last_error: None,
            last_success_at: None,
        };
        assert_eq!(d.shown_target(), "https://hooks.slack.com/…");
    }
}
