//! Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in
//! the database. What a request carries once the middleware has resolved it.

use crate::store::{DbError, Member, SessionStage, Store};
use cookie::{Cookie, SameSite};
use http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "logbook_session";
/// A session unused for this long (12 hours) ends.
pub const IDLE_TIMEOUT_US: i64 = 12 * 3600 * 1_000_000;
/// How stale `last_seen_at` may get before a request extends the session.
const TOUCH_EVERY_US: i64 = 60 * 1_000_000;
/// A session ends this long (12 hours) after sign-in however busy it is,
/// unless the server is configured otherwise: a stolen cookie has a limit.
pub const MAX_SESSION_AGE_US: i64 = 12 * 3600 * 1_000_000;
/// Time allowed between the password and the one-time code (5 minutes).
pub const OTP_STAGE_TIMEOUT_US: i64 = 5 * 60 * 1_000_000;

/// Where a request came from, for Logbook's own log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Served over TLS (directly or behind a proxy that says so): cookies get `Secure`.
    pub secure: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionState {
    SignedIn(Member),
    /// Password accepted, one-time code owed: grants nothing but the code form.
    AwaitingOtp(Member),
}

/// What the server's middleware attaches to every request. A request without
/// it (or with `session: None`) is anonymous.
#[derive(Clone, Debug, Default)]
pub struct RequestAuth {
    pub client: ClientInfo,
    pub token_hash: Option<String>,
    pub session: Option<SessionState>,
}

impl RequestAuth {
    /// Looks the session cookie up; extends an active session's idle
    /// timeout; ends one older than `max_age_us`.
    pub async fn resolve(
        store: &dyn Store,
        headers: &HeaderMap,
        client: ClientInfo,
        max_age_us: i64,
    ) -> Result<RequestAuth, DbError> {
        let Some(token) = token_from_headers(headers) else {
            return Ok(RequestAuth {
                client,
                ..Default::default()
            });
        };
        let token_hash = hash_token(&token);
        let now = chrono::Utc::now().timestamp_micros();
        let session = match store.session(&token_hash, now).await? {
            Some(s) if s.created_at <= now - max_age_us => {
                store.end_session(&token_hash).await?;
                None
            }
            Some(s) if s.stage == SessionStage::Full => {
                // A write at most once a minute, not on every request. It
                // only extends the idle timeout: when the storage refuses
                // writes (a full disk) the dashboard must stay readable.
                if s.last_seen_at < now - TOUCH_EVERY_US {
                    let touched = store
                        .touch_session(&token_hash, now, now + IDLE_TIMEOUT_US)
                        .await;
                    match touched {
                        Err(err) if err.is_transient() => {
                            tracing::warn!(error = %err, "session not extended")
                        }
                        other => other?,
                    }
                }
                Some(SessionState::SignedIn(s.member))
            }
            Some(s) => Some(SessionState::AwaitingOtp(s.member)),
            None => None,
        };
        Ok(RequestAuth {
            client,
            token_hash: session.as_ref().map(|_| token_hash),
            session,
        })
    }

    pub fn member(&self) -> Option<&Member> {
        match &self.session {
            Some(SessionState::SignedIn(member)) => Some(member),
            _ => None,
        }
    }
}

/// A new session token and the hash to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn token_from_headers(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE).filter(|v| v.len() == 64)
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// `Set-Cookie` for a new session: HttpOnly always, Secure over TLS, SameSite=Lax
/// so links from alert emails still arrive signed in. No Max-Age: the server
/// decides when a session ends.
pub fn session_cookie(token: &str, secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .build()
        .to_string()
}

pub fn clear_cookie(secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_http_only_and_lax_and_secure_only_over_tls() {
        let plain = session_cookie("abc", false);
        assert!(plain.contains("HttpOnly"), "{plain}");
        assert!(plain.contains("SameSite=Lax"), "{plain}");
        assert!(!plain.contains("Secure"), "{plain}");
        assert!(session_cookie("abc", true).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_read_from_among_other_cookies() {
        let (token, hash) = new_token();
        assert_eq!(hash.len(), 64);
        assert_ne!(token, hash);
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            format!("theme=dark; {SESSION_COOKIE}={token}; other=1")
                .parse()
                .unwrap(),
        );
        assert_eq!(token_from_headers(&headers), Some(token));
    }

    #[test]
    fn a_malformed_token_is_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            format!("{SESSION_COOKIE}=short").parse().unwrap(),
        );
        assert_eq!(token_from_headers(&headers), None);
    }
}
