//! One audit event as the dashboard sees it: who, what, where, when and what changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::{fmt, str::FromStr};

/// A stored event, read back from either backend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// ULID assigned on receipt: sortable, unique across tenants.
    pub id: String,
    /// The tenant's slug.
    pub tenant: String,
    /// The tenant's number: with `seq`, the row's place among events of the
    /// same time (see `Cursor`).
    #[serde(default)]
    pub tenant_id: i64,
    /// Position in the tenant's hash chain, starting at 1.
    pub seq: i64,
    /// When it happened, according to the sender.
    pub occurred_at: DateTime<Utc>,
    /// When Logbook committed it.
    pub received_at: DateTime<Utc>,
    pub actor: Actor,
    /// Dotted event code chosen by the sender, e.g. `license.created`.
    pub action: String,
    pub category: String,
    pub event_type: String,
    pub outcome: Outcome,
    pub severity: Severity,
    pub resource: Option<Resource>,
    pub targets: Vec<Resource>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub description: String,
    pub metadata: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
    /// Tags people added since (separate records; not part of the hash).
    #[serde(default)]
    pub tags: Vec<String>,
    /// How many comments people added since.
    #[serde(default)]
    pub comments: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    #[serde(rename = "type")]
    pub kind: ActorType,
}

impl Actor {
    /// Whether what someone typed starts the actor's id, email or name, or
    /// one of the name's words (case ignored).
    pub fn matches_typed(&self, typed: &str) -> bool {
        let typed = typed.trim().to_lowercase();
        if typed.is_empty() {
            return false;
        }
        let starts = |v: &str| {
            let v = v.to_lowercase();
            v.starts_with(&typed) || v.split_whitespace().any(|w| w.starts_with(&typed))
        };
        starts(&self.id)
            || self.email.as_deref().is_some_and(starts)
            || self.name.as_deref().is_some_and(starts)
    }

    /// The most human label available: name, then email, then id.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.email.as_deref())
            .unwrap_or(&self.id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Resource {
    /// The sender's display name, or `type id` when there is none.
    pub fn label(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("{} {}", self.kind, self.id),
        }
    }
}

/// A value outside a closed vocabulary (actor type, outcome, severity).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a known {what}; expected one of: {expected}")]
pub struct ParseEnumError {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

/// Declares a closed, lower-case string vocabulary with `as_str`, `ALL`,
/// `FromStr` and `Display`, so the database, the URL and the API agree on spelling.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = $crate::model::ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::model::ParseEnumError {
                        what: $what,
                        value: s.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// Who acted: people of each role, API keys, or the system itself.
    ActorType, "actor type", {
        Admin => "admin",
        Auditor => "auditor",
        Partner => "partner",
        Staff => "staff",
        Customer => "customer",
        ApiKey => "api_key",
        System => "system",
    }
);

vocabulary!(
    /// How the action ended.
    Outcome, "outcome", {
        Success => "success",
        Failure => "failure",
        Denied => "denied",
    }
);

vocabulary!(
    /// How much attention the event deserves.
    Severity, "severity", {
        Info => "info",
        Notice => "notice",
        Critical => "critical",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_the_start_of_an_id_email_name_or_surname_matches() {
        let alice = Actor {
            id: "u-7".into(),
            name: Some("Alice Novak".into()),
            email: Some("alice@shop.io".into()),
            kind: ActorType::Staff,
        };
        for typed in ["u-", "ALI", "alice@s", "nov"] {
            assert!(alice.matches_typed(typed), "{typed}");
        }
        for typed in ["", "  ", "shop", "x"] {
            assert!(!alice.matches_typed(typed), "{typed}");
        }
    }

    #[test]
    fn vocabularies_round_trip_through_their_text() {
        for kind in ActorType::ALL {
            assert_eq!(kind.as_str().parse::<ActorType>(), Ok(*kind));
        }
        for outcome in Outcome::ALL {
            assert_eq!(outcome.as_str().parse::<Outcome>(), Ok(*outcome));
        }
        for severity in Severity::ALL {
            assert_eq!(severity.as_str().parse::<Severity>(), Ok(*severity));
        }
    }

    #[test]
    fn an_unknown_outcome_names_the_expected_values() {
        let err = "maybe".parse::<Outcome>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'maybe' is not a known outcome; expected one of: success, failure, denied"
        );
    }

    #[test]
    fn serde_spelling_matches_the_database_spelling() {
        let json = serde_json::to_string(&ActorType::ApiKey).unwrap();
        assert_eq!(json, "\"api_key\"");
    }

    #[test]
    fn actor_label_prefers_name_then_email_then_id() {
        let mut actor = Actor {
            id: "u1".into(),
            name: None,
            email: Some("a@x.io".into()),
            kind: ActorType::Staff,
        };
        assert_eq!(actor.label(), "a@x.io");
        actor.name = Some("Alice".into());
        assert_eq!(actor.label(), "Alice");
        actor.name = None;
        actor.email = None;
        assert_eq!(actor.label(), "u1");
    }
}
