//! The `[alerts]` section: how the delivery worker sends, and through which
//! SMTP server.

use secrecy::SecretString;
use serde::Deserialize;

/// Alert delivery: `[alerts]` in the file, `LOGBOOK_ALERTS__…` in the
/// environment (`LOGBOOK_ALERTS__SMTP__HOST`, …).
#[derive(Clone, Debug, Deserialize)]
pub struct AlertsConfig {
    /// How often the worker looks for due deliveries.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// The first retry waits this long; each further one twice as long,
    /// up to an hour.
    #[serde(default = "default_retry_base_ms")]
    pub retry_base_ms: u64,
    /// Attempts before a delivery is given up (kept, shown as failed).
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// How often "logging stopped" rules are checked.
    #[serde(default = "default_silence_check_secs")]
    pub silence_check_secs: u64,
    /// Per-request limit for Slack, Telegram, webhooks and SMTP.
    #[serde(default = "default_send_timeout_secs")]
    pub timeout_secs: u64,
    /// Telegram's Bot API (a proxy or a test server may stand in).
    #[serde(default = "default_telegram_api")]
    pub telegram_api: String,
    /// Email destinations need this; without it they fail with a message saying so.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// Let Slack and webhook destinations name loopback, private and other
    /// internal addresses (on-premise receivers). Off: a partner could
    /// otherwise make the server reach internal services.
    #[serde(default)]
    pub allow_private_targets: bool,
}

impl AlertsConfig {
    pub fn target_policy(&self) -> app::guard::TargetPolicy {
        app::guard::TargetPolicy {
            allow_private: self.allow_private_targets,
        }
    }
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            poll_ms: default_poll_ms(),
            retry_base_ms: default_retry_base_ms(),
            max_attempts: default_max_attempts(),
            silence_check_secs: default_silence_check_secs(),
            timeout_secs: default_send_timeout_secs(),
            telegram_api: default_telegram_api(),
            smtp: None,
            allow_private_targets: false,
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Implicit TLS from the first byte (port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, refused if it cannot be.
    #[default]
    Starttls,
    /// No encryption: only for a relay on the same host or network.
    None,
}

/// The SMTP server email alerts go through.
#[derive(Clone, Debug, Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    /// Defaults by mode: 465 for `tls`, 587 for `starttls`, 25 for `none`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    /// The sender, e.g. `Logbook <logbook@example.com>`.
    pub from: String,
}

fn default_poll_ms() -> u64 {
    1_000
}
fn default_retry_base_ms() -> u64 {
    5_000
}
fn default_max_attempts() -> u32 {
    10
}
fn default_silence_check_secs() -> u64 {
    60
}
fn default_send_timeout_secs() -> u64 {
    10
}
fn default_telegram_api() -> String {
    "https://api.telegram.org".into()
}
