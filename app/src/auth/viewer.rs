//! Viewer tokens: what a platform lets one of its own users see of its
//! tenant's log, inside the platform's product (`/embed?token=…`).
//!
//! A token is its grant, sealed (encrypted and authenticated) with the
//! server's secrets key: the viewer can read nothing of it and change
//! nothing in it. Every request made with it rebuilds the scope from the
//! grant alone: the tenant, and a `Pin` on the filter that the store ANDs
//! with whatever the viewer asks for.

use super::Sealer;
use crate::{
    model::{EventFilter, Pin},
    store::{DbError, Store, TenantScope},
};
use serde::{Deserialize, Serialize};

/// Binds sealed tokens to this use (see `Sealer::seal_for_url`).
const PURPOSE: &str = "logbook viewer token v1";
/// Marks a viewer token, as `lbk_` marks an API key.
const PREFIX: &str = "lbv_";
/// How long a token lives when the platform does not say.
pub const DEFAULT_TTL_SECS: i64 = 15 * 60;
/// The longest a token may live.
pub const MAX_TTL_SECS: i64 = 4 * 60 * 60;

/// What one viewer token allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerGrant {
    /// Names the token in Logbook's own log.
    pub id: String,
    pub tenant_id: i64,
    pub tenant: String,
    /// The prefix of the API key that asked for it: revoking the key ends
    /// its tokens too.
    pub key: String,
    /// Only this actor's events (by id).
    pub actor: Option<String>,
    /// Only this resource's events: `(type, id)`.
    pub resource: Option<(String, String)>,
    /// Only events this query-bar line matches.
    pub filter: Option<String>,
    /// May download what it sees.
    pub export: bool,
    /// The platform's name for the person viewing, for the own log.
    pub user: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Why a token is refused; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewerError {
    #[error("this viewer link is not valid: ask the site that showed it for a new one")]
    Invalid,
    #[error("this viewer link expired: reload the page that showed it")]
    Expired,
}

impl ViewerGrant {
    pub fn seal(&self, sealer: &Sealer) -> String {
        let claims = serde_json::to_string(self).expect("a grant serialises");
        format!("{PREFIX}{}", sealer.seal_for_url(PURPOSE, &claims))
    }

    /// The grant a token holds, if this server sealed it and it is still
    /// valid at `now` (Unix seconds).
    pub fn open(sealer: &Sealer, token: &str, now: i64) -> Result<ViewerGrant, ViewerError> {
        let grant = ViewerGrant::unseal(sealer, token)?;
        if now >= grant.expires_at {
            return Err(ViewerError::Expired);
        }
        Ok(grant)
    }

    /// The grant a token holds if this server sealed it, expired or not:
    /// an expired token still names the tenant whose sites may frame the
    /// page that says it expired.
    pub fn unseal(sealer: &Sealer, token: &str) -> Result<ViewerGrant, ViewerError> {
        let sealed = token
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(ViewerError::Invalid)?;
        let claims = sealer
            .open_from_url(PURPOSE, sealed)
            .map_err(|_| ViewerError::Invalid)?;
        let grant: ViewerGrant = serde_json::from_str(&claims).map_err(|_| ViewerError::Invalid)?;
        grant.pin().map_err(|_| ViewerError::Invalid)?;
        Ok(grant)
    }

    /// Whether the key that asked for this token still exists for its
    /// tenant and is not revoked: revoking a key ends its tokens.
    pub async fn key_is_live(&self, store: &dyn Store) -> Result<bool, DbError> {
        let key = store.api_key_by_prefix(&self.key).await?;
        Ok(key.is_some_and(|k| k.revoked_at.is_none() && k.tenant_id == self.tenant_id))
    }

    pub fn scope(&self) -> TenantScope {
        TenantScope::tenant(self.tenant_id)
    }

    /// The conditions every read made with this token must meet.
    pub fn pin(&self) -> Result<Pin, String> {
        let also = match self.filter.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(line) => Some(EventFilter::parse_query(line).map_err(|e| e.to_string())?),
        };
        Ok(Pin {
            actor_id: self.actor.clone(),
            resource: self.resource.clone(),
            also,
        })
    }

    /// `asked` (the viewer's own filter, from the URL or the query bar)
    /// narrowed to what this token allows. A tenant named in it that is not
    /// the token's matches nothing, as the scope is the token's tenant.
    pub fn narrow(&self, mut asked: EventFilter) -> EventFilter {
        let pin = self
            .pin()
            .expect("a grant's filter parsed when the token was opened");
        asked.pin = Some(Box::new(pin));
        asked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(expires_at: i64) -> ViewerGrant {
        ViewerGrant {
            id: "01VIEW".into(),
            tenant_id: 3,
            tenant: "acme".into(),
            key: "abcd1234".into(),
            actor: Some("usr_42".into()),
            resource: None,
            filter: Some("action:license.*".into()),
            export: false,
            user: Some("usr_42".into()),
            expires_at,
        }
    }

    #[test]
    fn a_token_opens_to_its_grant_until_it_expires() {
        let (sealer, _) = Sealer::generate();
        let token = grant(1_000).seal(&sealer);
        assert!(token.starts_with("lbv_"));
        assert!(
            !token.contains("usr_42"),
            "the grant is not readable in the URL"
        );
        assert_eq!(ViewerGrant::open(&sealer, &token, 999), Ok(grant(1_000)));
        assert_eq!(
            ViewerGrant::open(&sealer, &token, 1_000),
            Err(ViewerError::Expired)
        );
    }

    #[test]
    fn a_token_changed_or_sealed_by_another_server_is_invalid() {
        let (sealer, _) = Sealer::generate();
        let (other, _) = Sealer::generate();
        let token = grant(1_000).seal(&sealer);
        let mut bytes = token.clone().into_bytes();
        let at = bytes.len() / 2;
        bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
        for forged in [
            String::from_utf8(bytes).unwrap(),
            grant(1_000).seal(&other),
            token.trim_start_matches("lbv_").to_string(),
            format!("lbv_{}", serde_json::to_string(&grant(1_000)).unwrap()),
        ] {
            assert_eq!(
                ViewerGrant::open(&sealer, &forged, 0),
                Err(ViewerError::Invalid)
            );
        }
    }

    #[test]
    fn whatever_the_viewer_asks_the_grants_pin_is_added_and_theirs_is_ignored() {
        let mut asked = EventFilter::parse_query("actor:usr_7 outcome:failure").unwrap();
        asked.pin = Some(Box::new(Pin {
            actor_id: Some("usr_7".into()),
            ..Default::default()
        }));
        let narrowed = grant(1_000).narrow(asked);
        let pin = narrowed.pin.as_deref().unwrap();
        assert_eq!(pin.actor_id.as_deref(), Some("usr_42"));
        assert_eq!(
            pin.also,
            Some(EventFilter::parse_query("action:license.*").unwrap())
        );
        assert_eq!(
            narrowed.is.actor.as_deref(),
            Some("usr_7"),
            "ANDed, not replaced"
        );
    }
}
