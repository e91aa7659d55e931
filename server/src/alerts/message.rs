//! What a notification says: one readable line, a link to the event, and
//! for webhooks the event itself as JSON, signed.

use app::{model::Event, store::DueDelivery};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// Unix seconds when the webhook was sent; receivers reject old ones.
pub const TIMESTAMP_HEADER: &str = "X-Logbook-Timestamp";
/// `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the secret>`.
pub const SIGNATURE_HEADER: &str = "X-Logbook-Signature";

/// The human-readable part every destination sends: plain ASCII around
/// the event's own text, so mail needs no transfer encoding for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub line: String,
    pub link: Option<String>,
}

impl Notice {
    /// The line and the link, on two lines (email body, Telegram, Slack).
    pub fn text(&self) -> String {
        match &self.link {
            Some(link) => format!("{}\n{link}", self.line),
            None => self.line.clone(),
        }
    }
}

/// Text as Slack must receive it: `&`, `<` and `>` escaped, so an event's
/// own text can neither ping `<!channel>` nor pass off a link as ours.
pub(super) fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `base` is the address people open Logbook at.
pub fn notice(d: &DueDelivery, base: &str) -> Notice {
    let at = chrono::DateTime::from_timestamp_micros(d.at)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let rule = d.rule.as_deref().unwrap_or("Test message");
    let mut line = format!("{rule}: {}", d.summary);
    if let Some(tenant) = &d.tenant_name {
        line.push_str(&format!(" | {tenant}"));
    }
    if d.rule.is_some() {
        line.push_str(&format!(" | {at}"));
    }
    let link = match (&d.event_id, &d.tenant_slug) {
        (Some(id), _) => Some(format!("{base}/events/{id}")),
        (None, Some(slug)) if d.rule.is_some() => Some(format!("{base}/?tenant={slug}")),
        _ => None,
    };
    Notice {
        title: format!("[Logbook] {rule}"),
        line,
        link,
    }
}

/// The webhook body: the notice plus the event as stored (none once
/// retention has removed it, or for "logging stopped" and test messages).
pub fn payload(d: &DueDelivery, notice: &Notice, event: Option<&Event>) -> Value {
    json!({
        "delivery": d.id,
        "rule": d.rule,
        "summary": notice.line,
        "link": notice.link,
        "tenant": d.tenant_slug.as_ref().map(|slug| json!({ "slug": slug, "name": d.tenant_name })),
        "at": chrono::DateTime::from_timestamp_micros(d.at).map(|t| t.to_rfc3339()),
        "matched": d.matched,
        "group": d.group_key,
        "event": event,
    })
}

/// The signature header's value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(rule: Option<&str>, event: Option<&str>) -> DueDelivery {
        DueDelivery {
            claim: 0,
            id: 7,
            attempts: 0,
            rule: rule.map(str::to_string),
            summary: "critical: balance.add by ann@shop.io on account 42".into(),
            event_id: event.map(str::to_string),
            at: 1_764_000_000_000_000,
            matched: 1,
            group_key: None,
            tenant_slug: Some("shop".into()),
            tenant_name: Some("The Shop".into()),
            destination_id: 1,
            destination: "ops".into(),
            kind: "webhook".into(),
            target: "http://127.0.0.1:9/hook".into(),
            secret: Some("s3cret".into()),
        }
    }

    #[test]
    fn a_notice_names_the_rule_event_tenant_and_time_and_links_to_the_details() {
        let n = notice(
            &due(Some("Balance added"), Some("01JABC")),
            "https://log.example",
        );
        assert_eq!(
            n.line,
            "Balance added: critical: balance.add by ann@shop.io on account 42 | The Shop | 2025-11-24 16:00 UTC"
        );
        assert_eq!(n.link.as_deref(), Some("https://log.example/events/01JABC"));
        assert_eq!(n.title, "[Logbook] Balance added");
    }

    #[test]
    fn a_firing_without_an_event_links_to_its_tenants_log_and_a_test_links_nowhere() {
        let silent = notice(&due(Some("Logging stopped"), None), "http://h");
        assert_eq!(silent.link.as_deref(), Some("http://h/?tenant=shop"));
        let test = notice(&due(None, None), "http://h");
        assert_eq!(test.link, None);
        assert!(test.line.starts_with("Test message: "));
    }

    #[test]
    fn event_text_cannot_ping_a_channel_or_disguise_a_link_in_slack() {
        assert_eq!(
            slack_escape("<!channel> <https://evil.example|Open in Logbook> & co"),
            "&lt;!channel&gt; &lt;https://evil.example|Open in Logbook&gt; &amp; co"
        );
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Checked against `printf '1700000000.{}' | openssl dgst -sha256 -hmac key`.
        assert_eq!(
            sign("key", 1_700_000_000, b"{}"),
            "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert_ne!(sign("key", 1, b"{}"), sign("key", 2, b"{}"));
        assert_ne!(sign("key", 1, b"{}"), sign("other", 1, b"{}"));
    }
}
