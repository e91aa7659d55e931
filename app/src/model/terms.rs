//! Conditions on an event's own columns, and the one list of their names
//! that the URL, the query bar and the SQL all iterate.

use super::event::{ActorType, Outcome, Severity};
use serde::{Deserialize, Serialize};

/// Values for some of an event's columns; `None` / empty means "any".
/// A filter holds two: what events must match, and what they must not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Terms {
    /// Actor id, email or display name, matched exactly.
    pub actor: Option<String>,
    pub actor_type: Option<ActorType>,
    /// Exact action codes or prefixes ending in `*` (`license.*`); any of them.
    pub actions: Vec<String>,
    pub category: Option<String>,
    pub event_type: Option<String>,
    pub outcome: Option<Outcome>,
    pub severity: Option<Severity>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub ip: Option<String>,
    /// A tag people added to the entry.
    pub tag: Option<String>,
}

/// Longest value one condition may have.
pub(super) const MAX_VALUE_CHARS: usize = 256;
/// Most action alternatives one filter may list.
pub(super) const MAX_ACTIONS: usize = 20;

/// Serde's side of [`Terms::check_bounds`], for filters sent as JSON.
pub(super) fn deserialize_bounded<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Terms, D::Error> {
    let terms = Terms::deserialize(deserializer)?;
    terms.check_bounds().map_err(serde::de::Error::custom)?;
    Ok(terms)
}

/// A column a `Terms` value narrows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Actor,
    ActorType,
    Action,
    Category,
    EventType,
    Outcome,
    Severity,
    ResourceType,
    ResourceId,
    Ip,
    Tag,
}

/// How an action value matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionMatch<'a> {
    Exact(&'a str),
    /// Everything starting with this text (the `*` removed).
    Prefix(&'a str),
}

impl ActionMatch<'_> {
    pub fn of(action: &str) -> ActionMatch<'_> {
        match action.strip_suffix('*') {
            Some(prefix) => ActionMatch::Prefix(prefix),
            None => ActionMatch::Exact(action),
        }
    }
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Actor,
        Field::ActorType,
        Field::Action,
        Field::Category,
        Field::EventType,
        Field::Outcome,
        Field::Severity,
        Field::ResourceType,
        Field::ResourceId,
        Field::Ip,
        Field::Tag,
    ];

    /// The event columns a condition on this field compares: an actor by
    /// id, email or name; a tag none (it is kept in the notes).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Field::Actor => &["actor_id", "actor_email", "actor_name"],
            Field::ActorType => &["actor_type"],
            Field::Action => &["action"],
            Field::Category => &["category"],
            Field::EventType => &["event_type"],
            Field::Outcome => &["outcome"],
            Field::Severity => &["severity"],
            Field::ResourceType => &["resource_type"],
            Field::ResourceId => &["resource_id"],
            Field::Ip => &["ip"],
            Field::Tag => &[],
        }
    }

    /// The URL parameter and query-bar qualifier.
    pub fn name(self) -> &'static str {
        match self {
            Field::Actor => "actor",
            Field::ActorType => "actor_type",
            Field::Action => "action",
            Field::Category => "category",
            Field::EventType => "event_type",
            Field::Outcome => "outcome",
            Field::Severity => "severity",
            Field::ResourceType => "resource_type",
            Field::ResourceId => "resource_id",
            Field::Ip => "ip",
            Field::Tag => "tag",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl Terms {
    pub fn is_empty(&self) -> bool {
        self == &Terms::default()
    }

    /// The values set for `field`, as text (several only for actions).
    pub fn get(&self, field: Field) -> Vec<String> {
        let one = |v: Option<&str>| v.map(str::to_string).into_iter().collect();
        match field {
            Field::Actor => one(self.actor.as_deref()),
            Field::ActorType => one(self.actor_type.map(ActorType::as_str)),
            Field::Action => self.actions.clone(),
            Field::Category => one(self.category.as_deref()),
            Field::EventType => one(self.event_type.as_deref()),
            Field::Outcome => one(self.outcome.map(Outcome::as_str)),
            Field::Severity => one(self.severity.map(Severity::as_str)),
            Field::ResourceType => one(self.resource_type.as_deref()),
            Field::ResourceId => one(self.resource_id.as_deref()),
            Field::Ip => one(self.ip.as_deref()),
            Field::Tag => one(self.tag.as_deref()),
        }
    }

    /// Sets `field` from text, or says why the text is not a value of it.
    /// Actions accumulate; any other field already set is an error.
    pub fn set(&mut self, field: Field, value: &str) -> Result<(), String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("{} needs a value", field.name()));
        }
        if value.chars().count() > MAX_VALUE_CHARS * MAX_ACTIONS {
            return Err(format!("{} is too long", field.name()));
        }
        if field == Field::Action {
            return self.add_action(value);
        }
        if !self.get(field).is_empty() {
            return Err(format!("{} is given twice", field.name()));
        }
        let text = Some(value.to_string());
        match field {
            Field::Actor => self.actor = text,
            Field::ActorType => self.actor_type = Some(parse(value)?),
            Field::Action => unreachable!("handled above"),
            Field::Category => self.category = text,
            Field::EventType => self.event_type = text,
            Field::Outcome => self.outcome = Some(parse(value)?),
            Field::Severity => self.severity = Some(parse(value)?),
            Field::ResourceType => self.resource_type = text,
            Field::ResourceId => self.resource_id = text,
            Field::Ip => self.ip = text,
            Field::Tag => self.tag = Some(super::check_tag(value)?),
        }
        self.check_bounds()
    }

    /// Forgets `field`'s values.
    pub fn clear(&mut self, field: Field) {
        match field {
            Field::Actor => self.actor = None,
            Field::ActorType => self.actor_type = None,
            Field::Action => self.actions.clear(),
            Field::Category => self.category = None,
            Field::EventType => self.event_type = None,
            Field::Outcome => self.outcome = None,
            Field::Severity => self.severity = None,
            Field::ResourceType => self.resource_type = None,
            Field::ResourceId => self.resource_id = None,
            Field::Ip => self.ip = None,
            Field::Tag => self.tag = None,
        }
    }

    /// Sets `field` to `value` in place of what it held; empty clears it.
    /// On an error nothing changes.
    pub fn replace(&mut self, field: Field, value: &str) -> Result<(), String> {
        let mut next = self.clone();
        next.clear(field);
        if !value.trim().is_empty() {
            next.set(field, value)?;
        }
        *self = next;
        Ok(())
    }

    fn add_action(&mut self, value: &str) -> Result<(), String> {
        for action in value.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let code = action.strip_suffix('*').unwrap_or(action);
            let valid = code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'));
            if !valid {
                return Err(format!(
                    "'{action}' is not an action code (letters, digits and . _ - :, \
                     with an optional * at the end)"
                ));
            }
            if !self.actions.iter().any(|a| a == action) {
                self.actions.push(action.to_string());
            }
        }
        self.check_bounds()
    }

    /// Every value at most `MAX_VALUE_CHARS` long and at most `MAX_ACTIONS`
    /// actions: each becomes a condition in every query the filter runs.
    pub fn check_bounds(&self) -> Result<(), String> {
        if self.actions.len() > MAX_ACTIONS {
            return Err(format!("at most {MAX_ACTIONS} actions at once"));
        }
        for field in Field::ALL {
            if self
                .get(field)
                .iter()
                .any(|v| v.chars().count() > MAX_VALUE_CHARS)
            {
                return Err(format!(
                    "{} is longer than {MAX_VALUE_CHARS} characters",
                    field.name()
                ));
            }
        }
        Ok(())
    }

    pub fn action_matches(&self) -> impl Iterator<Item = ActionMatch<'_>> {
        self.actions.iter().map(|a| ActionMatch::of(a))
    }
}

fn parse<T: std::str::FromStr<Err = super::ParseEnumError>>(value: &str) -> Result<T, String> {
    value.parse::<T>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_set_from_text_reads_back_the_same_text() {
        let samples = [
            "alice@acme.io",
            "staff",
            "license.*",
            "auth",
            "license.updated",
            "failure",
            "critical",
            "license",
            "KEY-1",
            "198.51.100.4",
            "player-request",
        ];
        let mut terms = Terms::default();
        for (field, value) in Field::ALL.into_iter().zip(samples) {
            terms.set(field, value).unwrap();
            assert_eq!(terms.get(field), vec![value.to_string()], "{field:?}");
            assert_eq!(Field::from_name(field.name()), Some(field));
        }
    }

    #[test]
    fn actions_accumulate_from_lists_and_repeats_without_duplicates() {
        let mut terms = Terms::default();
        terms.set(Field::Action, "license.*, user.login").unwrap();
        terms.set(Field::Action, "user.login").unwrap();
        assert_eq!(terms.actions, vec!["license.*", "user.login"]);
        assert_eq!(
            terms.action_matches().collect::<Vec<_>>(),
            vec![
                ActionMatch::Prefix("license."),
                ActionMatch::Exact("user.login")
            ]
        );
    }

    #[test]
    fn a_field_given_twice_or_empty_or_out_of_vocabulary_is_refused() {
        let mut terms = Terms::default();
        terms.set(Field::Outcome, "failure").unwrap();
        assert_eq!(
            terms.set(Field::Outcome, "denied").unwrap_err(),
            "outcome is given twice"
        );
        assert!(terms
            .set(Field::Severity, "loud")
            .unwrap_err()
            .contains("info"));
        assert_eq!(terms.set(Field::Ip, " ").unwrap_err(), "ip needs a value");
        assert!(terms.set(Field::Action, "license created").is_err());
    }

    #[test]
    fn replacing_a_field_keeps_the_old_value_when_the_new_one_is_wrong() {
        let mut terms = Terms::default();
        terms.replace(Field::Outcome, "failure").unwrap();
        terms.replace(Field::Outcome, "denied").unwrap();
        assert_eq!(terms.outcome, Some(Outcome::Denied));
        assert!(terms.replace(Field::Outcome, "maybe").is_err());
        assert_eq!(terms.outcome, Some(Outcome::Denied));
        terms.replace(Field::Outcome, "").unwrap();
        assert!(terms.is_empty());
    }
}
