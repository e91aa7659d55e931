//! Server-side authentication: passwords, one-time codes, session tokens,
//! API-key secrets, viewer tokens, sign-in throttling, and Logbook's own log.

pub mod keys;
mod password;
mod sealed;
mod self_log;
mod session;
mod throttle;
mod totp;
mod viewer;

pub use password::{
    generate_password, hash_password, hash_password_async, verify_password, verify_password_async,
    MAX_PASSWORD_LEN, MIN_PASSWORD_LEN,
};
pub use sealed::{SealError, Sealer};
pub use self_log::{Entry, SELF_TENANT};
pub use session::{
    clear_cookie, cookie_value, new_token, session_cookie, token_from_headers, ClientInfo,
    RequestAuth, SessionState, IDLE_TIMEOUT_US, MAX_SESSION_AGE_US, OTP_STAGE_TIMEOUT_US,
    SESSION_COOKIE,
};
pub use throttle::{
    throttle_wait, ThrottleWait, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_IP, WINDOW_US,
};
pub use totp::{code_step, enrolment, new_secret, Enrolment};
pub use viewer::{ViewerError, ViewerGrant, DEFAULT_TTL_SECS, MAX_TTL_SECS};
