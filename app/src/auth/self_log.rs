//! Logbook's own log: what people do in Logbook, appended to a reserved
//! tenant through the same chained append path as ingested events.

use super::session::ClientInfo;
use crate::model::{Actor, ActorType, Outcome, Resource, Role, Severity};
use crate::store::{DbError, Member, NewEvent, Store};
use serde_json::Value;

pub use crate::model::SELF_TENANT;

/// One entry for the self-log, built up then recorded.
#[derive(Clone, Debug)]
pub struct Entry {
    event: NewEvent,
}

impl Entry {
    /// `action` like `auth.sign_in`; its first segment is the category.
    pub fn new(action: &str, event_type: &str, description: impl Into<String>) -> Entry {
        let category = action.split('.').next().unwrap_or(action).to_string();
        Entry {
            event: NewEvent {
                id: ulid::Ulid::new().to_string(),
                occurred_at: chrono::Utc::now(),
                actor: Actor {
                    id: "anonymous".into(),
                    name: None,
                    email: None,
                    kind: ActorType::System,
                },
                action: action.to_string(),
                category,
                event_type: event_type.to_string(),
                outcome: Outcome::Success,
                severity: Severity::Info,
                resource: None,
                targets: Vec::new(),
                ip: None,
                user_agent: None,
                request_id: None,
                before: None,
                after: None,
                description: description.into(),
                metadata: None,
            },
        }
    }

    /// A refusal: someone tried to `what` without `needs`.
    pub fn denied(what: &str, needs: &str) -> Entry {
        Entry::new(
            "access.denied",
            "access_denied",
            format!("Refused to {what}: needs {needs}"),
        )
        .outcome(Outcome::Denied)
        .metadata(serde_json::json!({ "attempted": what, "needs": needs }))
    }

    pub fn by(mut self, member: &Member) -> Entry {
        self.event.actor = Actor {
            id: format!("account:{}", member.account_id()),
            name: Some(member.name().to_string()),
            email: Some(member.email().to_string()),
            kind: actor_type(member.role()),
        };
        self
    }

    /// One of Logbook's own background jobs (retention, checkpoints).
    pub fn by_system(mut self, job: &str) -> Entry {
        self.event.actor = Actor {
            id: format!("system:{job}"),
            name: Some(format!("Logbook {job} job")),
            email: None,
            kind: ActorType::System,
        };
        self
    }

    /// An application using an API key (exports over the API).
    pub fn by_api_key(mut self, prefix: &str, name: &str) -> Entry {
        self.event.actor = Actor {
            id: format!("api_key:{prefix}"),
            name: Some(name.to_string()),
            email: None,
            kind: ActorType::ApiKey,
        };
        self
    }

    /// A platform's user, viewing through a viewer token: known by the id
    /// the platform named, under the tenant whose token it is.
    pub fn by_viewer(mut self, tenant: &str, user: Option<&str>) -> Entry {
        let user = user.unwrap_or("unnamed");
        self.event.actor = Actor {
            id: format!("viewer:{tenant}:{user}"),
            name: Some(user.to_string()),
            email: None,
            kind: ActorType::Customer,
        };
        self
    }

    /// Someone not (yet) signed in, known only by the email they typed.
    pub fn by_email(mut self, email: &str) -> Entry {
        self.event.actor = Actor {
            id: format!("email:{email}"),
            name: None,
            email: Some(email.to_string()),
            kind: ActorType::System,
        };
        self
    }

    /// Replaces the description (for entries whose result is known last).
    pub fn described(mut self, description: impl Into<String>) -> Entry {
        self.event.description = description.into();
        self
    }

    pub fn outcome(mut self, outcome: Outcome) -> Entry {
        self.event.outcome = outcome;
        if outcome != Outcome::Success && self.event.severity == Severity::Info {
            self.event.severity = Severity::Notice;
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Entry {
        self.event.severity = severity;
        self
    }

    pub fn resource(mut self, kind: &str, id: impl ToString, name: Option<String>) -> Entry {
        self.event.resource = Some(Resource {
            kind: kind.to_string(),
            id: id.to_string(),
            name,
        });
        self
    }

    pub fn metadata(mut self, metadata: Value) -> Entry {
        self.event.metadata = Some(metadata);
        self
    }

    pub fn change(mut self, before: Value, after: Value) -> Entry {
        self.event.before = Some(before);
        self.event.after = Some(after);
        self
    }

    pub fn from_client(mut self, client: &ClientInfo) -> Entry {
        self.event.ip = client.ip.clone();
        self.event.user_agent = client.user_agent.clone();
        self
    }

    /// Records the entry; when the storage refuses writes (a full disk, the
    /// database gone) the entry goes to the server's log instead and the
    /// caller carries on: a read must not fail for want of its audit row,
    /// and the operator still has the trail.
    pub async fn record_or_log(self, store: &dyn Store) -> Result<(), DbError> {
        let (action, actor, description) = (
            self.event.action.clone(),
            self.event.actor.id.clone(),
            self.event.description.clone(),
        );
        match self.record(store).await {
            Err(err) if err.is_transient() => {
                tracing::warn!(%action, %actor, %description, error = %err,
                    "own-log entry not stored; kept in the server log");
                Ok(())
            }
            other => other,
        }
    }

    /// Appends the entry durably. Callers await it before answering, so an
    /// action is never acknowledged without its record.
    pub async fn record(self, store: &dyn Store) -> Result<(), DbError> {
        let tenant = store
            .tenant_by_slug(SELF_TENANT)
            .await?
            .ok_or_else(|| DbError::UnknownTenant(SELF_TENANT.into()))?;
        store.append(tenant.id, &[self.bounded()], None).await?;
        Ok(())
    }

    /// The entry with every text cut to a sane length. Much of it comes
    /// from whoever sent the request (an email typed at sign-in, a user
    /// agent), and the own log cannot be deleted for a year: nobody may
    /// grow it by megabytes per request.
    fn bounded(mut self) -> NewEvent {
        let e = &mut self.event;
        for (text, max) in [
            (&mut e.description, MAX_DESCRIPTION),
            (&mut e.actor.id, MAX_SHORT),
        ] {
            cut(text, max);
        }
        let optional = [
            &mut e.actor.name,
            &mut e.actor.email,
            &mut e.ip,
            &mut e.user_agent,
            &mut e.request_id,
        ];
        for text in optional.into_iter().flatten() {
            cut(text, MAX_SHORT);
        }
        for resource in e.resource.iter_mut().chain(&mut e.targets) {
            cut(&mut resource.id, MAX_SHORT);
            if let Some(name) = &mut resource.name {
                cut(name, MAX_SHORT);
            }
        }
        for value in [&mut e.metadata, &mut e.before, &mut e.after]
            .into_iter()
            .flatten()
        {
            cut_strings(value);
        }
        self.event
    }

    pub fn event(&self) -> &NewEvent {
        &self.event
    }
}

/// Longest description, and longest other text, an own-log entry keeps.
const MAX_DESCRIPTION: usize = 1_024;
const MAX_SHORT: usize = 256;

/// Cuts `text` to `max` characters, marking the cut.
fn cut(text: &mut String, max: usize) {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.push('…');
    }
}

fn cut_strings(value: &mut Value) {
    match value {
        Value::String(text) => cut(text, MAX_DESCRIPTION),
        Value::Array(items) => items.iter_mut().for_each(cut_strings),
        Value::Object(fields) => fields.values_mut().for_each(cut_strings),
        _ => {}
    }
}

fn actor_type(role: Role) -> ActorType {
    match role {
        Role::Admin => ActorType::Admin,
        Role::Auditor => ActorType::Auditor,
        Role::Partner => ActorType::Partner,
        Role::Staff => ActorType::Staff,
        Role::Customer => ActorType::Customer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_takes_its_category_from_the_action_and_flags_failures() {
        let client = ClientInfo {
            ip: Some("203.0.113.9".into()),
            user_agent: Some("curl/8".into()),
            secure: false,
        };
        let entry = Entry::new("auth.sign_in.failed", "login_failed", "Wrong password")
            .by_email("eve@x.io")
            .outcome(Outcome::Failure)
            .from_client(&client);
        let e = entry.event();
        assert_eq!(e.category, "auth");
        assert_eq!(e.severity, Severity::Notice);
        assert_eq!(e.actor.email.as_deref(), Some("eve@x.io"));
        assert_eq!(e.ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(e.user_agent.as_deref(), Some("curl/8"));
    }

    #[test]
    fn every_text_a_visitor_supplies_is_cut_before_it_is_recorded() {
        let huge = "x".repeat(2_000_000);
        let client = ClientInfo {
            ip: Some("203.0.113.9".into()),
            user_agent: Some(huge.clone()),
            secure: false,
        };
        let event = Entry::new("auth.sign_in.failed", "login_failed", huge.clone())
            .by_email(&huge)
            .metadata(serde_json::json!({ "email_tried": huge, "nested": [huge] }))
            .from_client(&client)
            .bounded();
        let size = serde_json::to_string(&event.metadata).unwrap().len()
            + event.description.len()
            + event.actor.id.len()
            + event.actor.email.as_ref().map_or(0, String::len)
            + event.user_agent.as_ref().map_or(0, String::len);
        assert!(size < 8_000, "{size} bytes kept");
        assert!(event.description.ends_with('…'));
    }
}
