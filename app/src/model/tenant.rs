//! A tenant: one partner, store or organisation whose events form one log.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: i64,
    /// Stable, URL-safe name (`acme-keys`).
    pub slug: String,
    pub name: String,
}

/// The reserved tenant (created by migration) holding Logbook's own log.
pub const SELF_TENANT: &str = "logbook";

/// How long a tenant's events are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Retention {
    /// The deployment's default (365 days unless configured).
    Default,
    Days(u32),
    Forever,
}

impl Retention {
    /// Days in force, given the deployment default; `None` keeps forever.
    pub fn days(self, default_days: u32) -> Option<u32> {
        match self {
            Retention::Default => Some(default_days),
            Retention::Days(days) => Some(days),
            Retention::Forever => None,
        }
    }

    /// How the dashboard says it.
    pub fn label(self, default_days: u32) -> String {
        match self {
            Retention::Default => format!("{default_days} days (default)"),
            Retention::Days(days) => format!("{days} days"),
            Retention::Forever => "forever".to_string(),
        }
    }
}

/// A tenant's retention and redaction settings, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSettings {
    pub tenant: Tenant,
    pub retention: Retention,
    /// Deletion is paused, whatever the retention.
    pub legal_hold: bool,
    /// Extra key words whose values this tenant's events never store.
    pub redaction_words: Vec<String>,
    /// Events up to here were deleted by retention.
    pub cut_seq: i64,
}

/// What an admin submits to change a tenant's retention and redaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub retention: Retention,
    pub legal_hold: bool,
    pub redaction_words: Vec<String>,
}

/// The longest retention one may type: a century.
pub const MAX_RETENTION_DAYS: u32 = 36_500;
const MAX_WORDS: usize = 50;

impl SettingsForm {
    /// The form with its words trimmed, deduplicated and checked; the error
    /// names the field at fault.
    pub fn checked(mut self) -> Result<SettingsForm, String> {
        if let Retention::Days(days) = self.retention {
            if !(1..=MAX_RETENTION_DAYS).contains(&days) {
                return Err(format!(
                    "retention must be between 1 and {MAX_RETENTION_DAYS} days, or forever"
                ));
            }
        }
        let mut words: Vec<String> = Vec::new();
        for word in self.redaction_words.iter().map(|w| w.trim()) {
            if word.is_empty() || words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                continue;
            }
            if word.len() > 64
                || !word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_ ".contains(c))
            {
                return Err(format!(
                    "redaction word '{word}' may hold only letters, digits, '-' and '_' (64 at most)"
                ));
            }
            words.push(word.to_string());
        }
        if words.len() > MAX_WORDS {
            return Err(format!("at most {MAX_WORDS} redaction words per tenant"));
        }
        self.redaction_words = words;
        Ok(self)
    }
}

/// The Retention page: every visible tenant's settings, and the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsOverview {
    pub default_days: u32,
    pub tenants: Vec<TenantSettings>,
    /// Admins change settings; everyone else reads them.
    pub can_edit: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(retention: Retention, words: &[&str]) -> SettingsForm {
        SettingsForm {
            retention,
            legal_hold: false,
            redaction_words: words.iter().map(|w| w.to_string()).collect(),
        }
    }

    #[test]
    fn a_settings_form_trims_and_deduplicates_words_and_refuses_odd_ones() {
        let checked = form(
            Retention::Days(30),
            &[" gift_code ", "", "GIFT_CODE", "iban"],
        )
        .checked()
        .unwrap();
        assert_eq!(checked.redaction_words, ["gift_code", "iban"]);
        let err = form(Retention::Default, &["a.b"]).checked().unwrap_err();
        assert!(err.contains("'a.b'"), "{err}");
    }

    #[test]
    fn retention_of_zero_days_or_beyond_a_century_is_refused() {
        assert!(form(Retention::Days(0), &[]).checked().is_err());
        assert!(form(Retention::Days(36_501), &[]).checked().is_err());
        assert!(form(Retention::Forever, &[]).checked().is_ok());
    }

    #[test]
    fn the_default_retention_follows_the_deployment_and_forever_has_no_days() {
        assert_eq!(Retention::Default.days(365), Some(365));
        assert_eq!(Retention::Days(30).days(365), Some(30));
        assert_eq!(Retention::Forever.days(365), None);
        assert_eq!(Retention::Default.label(90), "90 days (default)");
    }
}
