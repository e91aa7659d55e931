//! Layered configuration: defaults, then `logbook.toml`, then the environment.

use figment::{
    providers::{Env, Format, Toml},
    Figment,
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::{net::SocketAddr, path::PathBuf};

mod alerts;
pub use alerts::{AlertsConfig, SmtpConfig, SmtpTls};

/// Everything the server needs to start. Loading it has no side effects.
#[derive(Debug, Deserialize)]
pub struct Config {
    /// `sqlite:…` or `postgres://…`; defaults to a SQLite file in `data_dir`.
    /// Secret because a PostgreSQL URL may carry a password.
    #[serde(default)]
    pub database_url: Option<SecretString>,
    /// PostgreSQL only: a streaming replica of that database
    /// (`DATABASE_READ_URL`), which serves table pages, analytics and exports.
    #[serde(default)]
    pub database_read_url: Option<SecretString>,
    /// PostgreSQL only: the span of one events partition, `month` (the
    /// default), `week` or `day`; retention drops whole expired ones.
    #[serde(default)]
    pub partition_interval: app::store::PartitionInterval,
    #[serde(default = "default_addr")]
    pub addr: SocketAddr,
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Folder holding the compiled browser bundle (`pkg/`), from `cargo leptos build`.
    #[serde(default = "default_site_root")]
    pub site_root: PathBuf,
    /// Seed demo tenants, events and accounts (with a published password)
    /// when the database holds none. Off unless asked for; see [`Config::demo`].
    #[serde(default)]
    pub demo_data: bool,
    /// Allow `demo_data` on an address other than loopback.
    #[serde(default)]
    pub demo_data_on_public_address: bool,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub redaction: Redaction,
    #[serde(default)]
    pub integrity: Integrity,
    #[serde(default)]
    pub retention: RetentionConfig,
    /// The first admin, created on first run when there are no accounts.
    #[serde(default)]
    pub admin: Option<AdminAccount>,
    /// Believe `X-Forwarded-For` and `X-Forwarded-Proto` from a reverse proxy.
    #[serde(default)]
    pub trust_proxy: bool,
    /// Further proxies in front of that one (CIDR ranges, e.g. a load
    /// balancer's `10.0.0.0/8`): the client is the rightmost
    /// `X-Forwarded-For` address outside them.
    #[serde(default)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A session ends this many hours after sign-in, however busy.
    #[serde(default = "default_session_hours")]
    pub session_max_age_hours: u64,
    /// The address people use, e.g. `https://logbook.example.com`; https
    /// makes session cookies `Secure`.
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default)]
    pub alerts: AlertsConfig,
}

/// What [`Config::demo`] decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Demo {
    Off,
    On,
    /// Asked for, but an admin is configured: a real deployment.
    SkippedForAdmin,
}

/// `LOGBOOK_ADMIN__EMAIL` and `LOGBOOK_ADMIN__PASSWORD` (or `[admin]` in the
/// file). Without a password, one is generated and printed once.
#[derive(Debug, Deserialize)]
pub struct AdminAccount {
    pub email: String,
    #[serde(default)]
    pub password: Option<SecretString>,
}

/// Extra key words whose values are never stored (the built-in list covers
/// passwords, tokens, keys, cookies, sessions, one-time codes and cards).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Redaction {
    #[serde(default)]
    pub extra_words: Vec<String>,
}

/// Checkpoint signing. `LOGBOOK_INTEGRITY__SIGNING_KEY` (base64 of a 32-byte
/// Ed25519 seed) when several servers share one database; otherwise a key is
/// generated on first run into `<data_dir>/signing.key`.
#[derive(Debug, Deserialize)]
pub struct Integrity {
    #[serde(default)]
    pub signing_key: Option<SecretString>,
    /// `LOGBOOK_INTEGRITY__SECRETS_KEY` (base64 of 32 bytes): seals stored
    /// alert tokens and one-time-code seeds. Otherwise generated on first
    /// run into `<data_dir>/secrets.key`.
    #[serde(default)]
    pub secrets_key: Option<SecretString>,
    /// Seconds between scheduled checkpoints of heads that moved: events
    /// after the last checkpoint could be dropped unnoticed by someone who
    /// can rewrite the database, so this is short.
    #[serde(default = "default_checkpoint_secs")]
    pub checkpoint_every_secs: u64,
}

impl Default for Integrity {
    fn default() -> Self {
        Integrity {
            signing_key: None,
            secrets_key: None,
            checkpoint_every_secs: default_checkpoint_secs(),
        }
    }
}

/// Retention: tenants without their own setting keep events `default_days`.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct RetentionConfig {
    #[serde(default = "default_retention_days")]
    pub default_days: u32,
    /// Seconds between retention runs.
    #[serde(default = "default_hourly")]
    pub every_secs: u64,
    /// Events deleted per transaction.
    #[serde(default = "default_retention_batch")]
    pub batch: i64,
}

impl RetentionConfig {
    /// What the retention job and the Retention page work from.
    pub fn policy(&self) -> app::integrity::RetentionPolicy {
        app::integrity::RetentionPolicy {
            default_days: self.default_days,
            batch: self.batch,
        }
    }
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            default_days: default_retention_days(),
            every_secs: default_hourly(),
            batch: default_retention_batch(),
        }
    }
}

/// Explicit ingest limits; exceeding one is a 413 that says which.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Limits {
    #[serde(default = "default_max_batch")]
    pub max_batch: usize,
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Events that claim an earlier `occurred_at` are refused (never before 1970).
    #[serde(default = "default_earliest_event")]
    pub earliest_event: chrono::DateTime<chrono::Utc>,
    /// Seconds one read of the database may run before it is stopped with
    /// a message saying to narrow the filter.
    #[serde(default = "default_query_budget_secs")]
    pub query_budget_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch: default_max_batch(),
            max_body_bytes: default_max_body(),
            earliest_event: default_earliest_event(),
            query_budget_secs: default_query_budget_secs(),
        }
    }
}

fn default_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 3000))
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_site_root() -> PathBuf {
    PathBuf::from("target/site")
}
fn default_hourly() -> u64 {
    3_600
}
fn default_checkpoint_secs() -> u64 {
    60
}
fn default_retention_days() -> u32 {
    365
}
fn default_retention_batch() -> i64 {
    1_000
}
fn default_max_batch() -> usize {
    5_000
}
fn default_max_body() -> usize {
    16 * 1024 * 1024
}
/// 2000-01-01T00:00:00Z: older than any audit log a sender could replay.
pub fn default_earliest_event() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(946_684_800, 0).unwrap_or_default()
}
fn default_session_hours() -> u64 {
    12
}
fn default_query_budget_secs() -> u64 {
    app::store::ReadBudget::DEFAULT.as_secs()
}
impl Config {
    /// Reads `file` (default `logbook.toml`, if present), then `LOGBOOK_*`
    /// variables (`LOGBOOK_ADDR`, `LOGBOOK_DATA_DIR`, `LOGBOOK_LIMITS__MAX_BATCH`, …)
    /// and `DATABASE_URL` / `DATABASE_READ_URL`.
    pub fn load(file: Option<PathBuf>) -> Result<Config, Box<figment::Error>> {
        let file = file.unwrap_or_else(|| PathBuf::from("logbook.toml"));
        Figment::new()
            .merge(Toml::file(file))
            .merge(Env::prefixed("LOGBOOK_").split("__"))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL", "DATABASE_READ_URL"])
                    .map(|key| key.as_str().to_ascii_lowercase().into()),
            )
            .extract()
            .map_err(Box::new)
    }

    /// The database URL in force (the SQLite default spelled out).
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_string(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("logbook.db").display()
            ),
        }
    }

    /// How a PostgreSQL database is laid out beyond its URL.
    pub fn pg_options(&self) -> app::store::PgOptions {
        app::store::PgOptions {
            read_url: self
                .database_read_url
                .as_ref()
                .map(|url| url.expose_secret().to_string()),
            partitions: self.partition_interval,
        }
    }

    /// Whether the public address is https (cookies then carry `Secure`).
    pub fn serves_tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The address links in notifications point to.
    pub fn link_base(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.addr),
        }
    }

    /// Whether to seed demo data and accounts: only when asked for and no
    /// admin is configured. Asked for on a public address without
    /// `demo_data_on_public_address`, it is an error: anyone reaching the
    /// server could sign in with the published demo password.
    pub fn demo(&self) -> Result<Demo, String> {
        if !self.demo_data {
            return Ok(Demo::Off);
        }
        if self.admin.is_some() {
            return Ok(Demo::SkippedForAdmin);
        }
        if !self.addr.ip().is_loopback() && !self.demo_data_on_public_address {
            return Err(format!(
                "demo data (accounts with a published password) is refused on {}, which is not \
                 a loopback address; set LOGBOOK_DEMO_DATA_ON_PUBLIC_ADDRESS=true to force it",
                self.addr
            ));
        }
        Ok(Demo::On)
    }

    /// Where the database lives, without credentials, for log lines.
    pub fn database_label(&self) -> String {
        let url = self.database_url();
        match url.split_once('@') {
            Some((scheme_and_user, host)) => {
                let scheme = scheme_and_user.split("://").next().unwrap_or("postgres");
                format!("{scheme}://…@{host}")
            }
            None => url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_password_never_appears_in_the_label_or_debug_output() {
        let config = Config {
            database_url: Some(SecretString::from("postgres://app:hunter2@db:5432/logbook")),
            database_read_url: Some(SecretString::from(
                "postgres://app:swordfish@replica:5432/logbook",
            )),
            partition_interval: app::store::PartitionInterval::Month,
            addr: default_addr(),
            data_dir: default_data_dir(),
            site_root: default_site_root(),
            demo_data: true,
            demo_data_on_public_address: false,
            limits: Limits::default(),
            redaction: Redaction::default(),
            integrity: Integrity::default(),
            retention: RetentionConfig::default(),
            admin: None,
            trust_proxy: false,
            trusted_proxies: Vec::new(),
            session_max_age_hours: 12,
            public_url: None,
            alerts: AlertsConfig::default(),
        };
        assert_eq!(config.database_label(), "postgres://…@db:5432/logbook");
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!format!("{config:?}").contains("swordfish"));
    }

    #[test]
    fn without_a_url_the_database_is_a_sqlite_file_in_the_data_folder() {
        let config: Config = Figment::new().extract().unwrap();
        assert_eq!(config.database_url(), "sqlite://data/logbook.db?mode=rwc");
        assert_eq!(config.addr, default_addr());
        assert_eq!(config.limits.max_batch, 5_000);
        assert_eq!(config.retention.default_days, 365);
    }

    fn config(toml: &str) -> Config {
        Figment::new().merge(Toml::string(toml)).extract().unwrap()
    }

    #[test]
    fn a_plain_serve_seeds_no_demo_accounts() {
        assert_eq!(config("").demo(), Ok(Demo::Off));
        assert_eq!(config("demo_data = true").demo(), Ok(Demo::On));
    }

    #[test]
    fn demo_accounts_are_never_created_beside_a_configured_admin() {
        let c = config("demo_data = true\n[admin]\nemail = 'ops@example.com'");
        assert_eq!(c.demo(), Ok(Demo::SkippedForAdmin));
    }

    #[test]
    fn demo_data_on_a_public_address_is_refused_unless_forced() {
        let public = "demo_data = true\naddr = '0.0.0.0:3000'";
        let err = config(public).demo().unwrap_err();
        assert!(err.contains("not a loopback address"), "{err}");
        let forced = format!("{public}\ndemo_data_on_public_address = true");
        assert_eq!(config(&forced).demo(), Ok(Demo::On));
        let v6 = "demo_data = true\naddr = '[::1]:3000'";
        assert_eq!(config(v6).demo(), Ok(Demo::On));
    }
}
