//! The one typed filter behind the log table, its URL, and (later) charts and exports.

use super::event::{ActorType, Outcome, Severity};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// Which events to show. Every field narrows the result; `None` means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFilter {
    /// Tenant slug.
    pub tenant: Option<String>,
    /// Actor id, email or display name, matched exactly.
    pub actor: Option<String>,
    pub actor_type: Option<ActorType>,
    /// An exact action code, or a prefix ending in `*` (`license.*`).
    pub action: Option<String>,
    pub category: Option<String>,
    pub event_type: Option<String>,
    pub outcome: Option<Outcome>,
    pub severity: Option<Severity>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ip: Option<String>,
    /// Inclusive lower bound on `occurred_at`.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound on `occurred_at`.
    pub to: Option<DateTime<Utc>>,
}

/// A URL parameter that does not parse; the message says which and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("filter '{param}': {reason}")]
pub struct FilterError {
    pub param: &'static str,
    pub reason: String,
}

/// How an action filter matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionMatch<'a> {
    Exact(&'a str),
    /// Everything starting with this text (the `*` removed).
    Prefix(&'a str),
}

impl EventFilter {
    /// The URL parameter names, in the order they are written back.
    pub const PARAMS: [&'static str; 13] = [
        "tenant",
        "actor",
        "actor_type",
        "action",
        "category",
        "event_type",
        "outcome",
        "severity",
        "resource_type",
        "resource_id",
        "ip",
        "from",
        "to",
    ];

    /// Reads the filter from URL parameters; empty values mean "any".
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, FilterError> {
        let text = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        Ok(EventFilter {
            tenant: text("tenant"),
            actor: text("actor"),
            actor_type: parse_enum(text("actor_type"), "actor_type")?,
            action: text("action"),
            category: text("category"),
            event_type: text("event_type"),
            outcome: parse_enum(text("outcome"), "outcome")?,
            severity: parse_enum(text("severity"), "severity")?,
            resource_type: text("resource_type"),
            resource_id: text("resource_id"),
            ip: text("ip"),
            from: parse_time(text("from"), "from", false)?,
            to: parse_time(text("to"), "to", true)?,
        })
    }

    /// The filter as `(name, value)` pairs, omitting fields that are "any".
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let values = [
            self.tenant.clone(),
            self.actor.clone(),
            self.actor_type.map(|v| v.as_str().to_string()),
            self.action.clone(),
            self.category.clone(),
            self.event_type.clone(),
            self.outcome.map(|v| v.as_str().to_string()),
            self.severity.map(|v| v.as_str().to_string()),
            self.resource_type.clone(),
            self.resource_id.clone(),
            self.ip.clone(),
            self.from.map(|t| t.to_rfc3339()),
            self.to.map(|t| t.to_rfc3339()),
        ];
        Self::PARAMS
            .into_iter()
            .zip(values)
            .filter_map(|(name, value)| value.map(|v| (name, v)))
            .collect()
    }

    pub fn action_match(&self) -> Option<ActionMatch<'_>> {
        self.action
            .as_deref()
            .map(|action| match action.strip_suffix('*') {
                Some(prefix) => ActionMatch::Prefix(prefix),
                None => ActionMatch::Exact(action),
            })
    }
}

fn parse_enum<T: std::str::FromStr<Err = super::ParseEnumError>>(
    value: Option<String>,
    param: &'static str,
) -> Result<Option<T>, FilterError> {
    value
        .map(|v| v.parse::<T>())
        .transpose()
        .map_err(|e| FilterError {
            param,
            reason: e.to_string(),
        })
}

/// Accepts RFC 3339 or a bare date; a bare `to` date includes that whole day.
fn parse_time(
    value: Option<String>,
    param: &'static str,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, FilterError> {
    let Some(value) = value else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(&value) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    match NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
        Ok(date) => {
            let date = if end_of_day {
                date.succ_opt().unwrap_or(date)
            } else {
                date
            };
            Ok(Some(date.and_time(NaiveTime::MIN).and_utc()))
        }
        Err(_) => Err(FilterError {
            param,
            reason: format!("'{value}' is not a date (YYYY-MM-DD) or an RFC 3339 time"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<EventFilter, FilterError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EventFilter::from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn a_filter_survives_a_round_trip_through_url_parameters() {
        let filter = from(&[
            ("tenant", "acme"),
            ("actor", "alice@acme.io"),
            ("actor_type", "staff"),
            ("action", "license.*"),
            ("outcome", "failure"),
            ("severity", "critical"),
            ("resource_id", "K-1"),
            ("from", "2026-01-01T00:00:00Z"),
        ])
        .unwrap();
        let params = filter.to_params();
        let map: HashMap<String, String> = params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let again = EventFilter::from_params(|k| map.get(k).cloned()).unwrap();
        assert_eq!(again, filter);
    }

    #[test]
    fn empty_parameters_mean_any() {
        let filter = from(&[("tenant", ""), ("action", "  ")]).unwrap();
        assert_eq!(filter, EventFilter::default());
    }

    #[test]
    fn a_bad_outcome_names_the_parameter_and_the_choices() {
        let err = from(&[("outcome", "ok")]).unwrap_err();
        assert_eq!(err.param, "outcome");
        assert!(
            err.reason.contains("success, failure, denied"),
            "{}",
            err.reason
        );
    }

    #[test]
    fn a_bare_to_date_includes_the_whole_day() {
        let filter = from(&[("from", "2026-03-01"), ("to", "2026-03-01")]).unwrap();
        let span = filter.to.unwrap() - filter.from.unwrap();
        assert_eq!(span.num_hours(), 24);
    }

    #[test]
    fn a_malformed_date_is_refused_not_ignored() {
        let err = from(&[("from", "yesterday")]).unwrap_err();
        assert_eq!(err.param, "from");
    }

    #[test]
    fn a_trailing_star_makes_an_action_prefix() {
        let filter = EventFilter {
            action: Some("license.*".into()),
            ..Default::default()
        };
        assert_eq!(filter.action_match(), Some(ActionMatch::Prefix("license.")));
        let filter = EventFilter {
            action: Some("license.created".into()),
            ..Default::default()
        };
        assert_eq!(
            filter.action_match(),
            Some(ActionMatch::Exact("license.created"))
        );
    }
}
