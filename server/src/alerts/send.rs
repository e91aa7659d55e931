//! Sending one notification to one destination. Every failure comes back as
//! a sentence the Alerts page can show ("HTTP 500 from hooks.slack.com: …").

use super::{
    email::Mailer,
    guarded,
    message::{self, sign, Notice, SIGNATURE_HEADER, TIMESTAMP_HEADER},
};
use crate::config::AlertsConfig;
use app::{model::DestinationKind, store::DueDelivery};
use serde_json::{json, Value};
use std::time::Duration;

/// The clients every destination kind sends through, built once.
#[derive(Clone)]
pub struct Senders {
    /// For URLs tenants chose (Slack, webhooks): internal addresses refused.
    http: reqwest::Client,
    /// For the operator's own Telegram API base.
    operator: reqwest::Client,
    telegram_api: String,
    mailer: Option<Mailer>,
    policy: app::guard::TargetPolicy,
}

impl Senders {
    pub fn new(config: &AlertsConfig) -> Result<Senders, String> {
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        let policy = config.target_policy();
        let http = guarded::client(policy, timeout)?;
        let operator = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("Logbook/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let mailer = config
            .smtp
            .as_ref()
            .map(|smtp| Mailer::new(smtp, timeout))
            .transpose()?;
        Ok(Senders {
            http,
            operator,
            policy,
            telegram_api: config.telegram_api.trim_end_matches('/').to_string(),
            mailer,
        })
    }

    /// Sends `notice` (and, to webhooks, `payload`) to the delivery's destination.
    pub async fn send(
        &self,
        d: &DueDelivery,
        notice: &Notice,
        payload: &Value,
    ) -> Result<(), String> {
        let kind: DestinationKind = d.kind.parse().map_err(|e| format!("{e}"))?;
        match kind {
            DestinationKind::Email => match &self.mailer {
                Some(mailer) => mailer.send(&d.target, notice).await,
                None => Err("SMTP is not configured: set [alerts.smtp] host and from \
                             (LOGBOOK_ALERTS__SMTP__HOST, LOGBOOK_ALERTS__SMTP__FROM)"
                    .into()),
            },
            DestinationKind::Slack => {
                let line = message::slack_escape(&notice.line);
                let text = match &notice.link {
                    Some(link) => format!("{line} <{link}|Open in Logbook>"),
                    None => line,
                };
                let body =
                    serde_json::to_vec(&json!({ "text": text })).map_err(|e| e.to_string())?;
                self.post_bytes(&self.http, &d.target, body, &[]).await
            }
            DestinationKind::Telegram => {
                let token = d
                    .secret
                    .as_deref()
                    .ok_or("the Telegram destination has no bot token")?;
                let url = format!("{}/bot{token}/sendMessage", self.telegram_api);
                let body = json!({
                    "chat_id": d.target,
                    "text": notice.text(),
                    "disable_web_page_preview": true,
                });
                let body = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
                // The token is part of the URL: never let it into an error.
                self.post_bytes(&self.operator, &url, body, &[])
                    .await
                    .map_err(|e| e.replace(token, "…"))
            }
            DestinationKind::Webhook => {
                let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
                let timestamp = chrono::Utc::now().timestamp();
                let mut headers = vec![
                    (TIMESTAMP_HEADER, timestamp.to_string()),
                    ("X-Logbook-Delivery", d.id.to_string()),
                ];
                if let Some(secret) = &d.secret {
                    headers.push((SIGNATURE_HEADER, sign(secret, timestamp, &body)));
                }
                self.post_bytes(&self.http, &d.target, body, &headers).await
            }
        }
    }

    /// Posts `body`; a failure says what happened and to which host, but
    /// never what the receiver answered: its body could be an internal
    /// page, and whether a port refused or stayed silent maps a network.
    async fn post_bytes(
        &self,
        client: &reqwest::Client,
        url: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> Result<(), String> {
        let parsed = reqwest::Url::parse(url).map_err(|_| "the URL does not parse".to_string())?;
        guarded::check_literal(&parsed, self.policy).await?;
        let host = parsed.host_str().unwrap_or("the destination").to_string();
        let mut request = client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(|e| {
            // The guard's own refusal says what the operator can change.
            if let Some(refused) = guarded::refusal(&e) {
                return refused.to_string();
            }
            format!("could not deliver to {host} (no answer, or the connection failed)")
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let class = status.as_u16() / 100;
        Err(format!("HTTP {class}xx from {host}"))
    }
}
