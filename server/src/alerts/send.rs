//! Sending one notification to one destination. Every failure comes back as
//! a sentence the Alerts page can show ("HTTP 500 from hooks.slack.com: …").

use super::{
    email::Mailer,
    message::{sign, Notice, SIGNATURE_HEADER, TIMESTAMP_HEADER},
};
use crate::config::AlertsConfig;
use app::{model::DestinationKind, store::DueDelivery};
use serde_json::{json, Value};
use std::time::Duration;

/// The clients every destination kind sends through, built once.
#[derive(Clone)]
pub struct Senders {
    http: reqwest::Client,
    telegram_api: String,
    mailer: Option<Mailer>,
}

impl Senders {
    pub fn new(config: &AlertsConfig) -> Result<Senders, String> {
        let timeout = Duration::from_secs(config.timeout_secs.max(1));
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("Logbook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let mailer = config
            .smtp
            .as_ref()
            .map(|smtp| Mailer::new(smtp, timeout))
            .transpose()?;
        Ok(Senders {
            http,
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
                let text = match &notice.link {
                    Some(link) => format!("{} <{link}|Open in Logbook>", notice.line),
                    None => notice.line.clone(),
                };
                self.post(&d.target, &json!({ "text": text }), &[]).await
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
                // The token is part of the URL: never let it into an error.
                self.post(&url, &body, &[])
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
                self.post_bytes(&d.target, body, &headers).await
            }
        }
    }

    async fn post(
        &self,
        url: &str,
        body: &Value,
        headers: &[(&str, String)],
    ) -> Result<(), String> {
        let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        self.post_bytes(url, bytes, headers).await
    }

    async fn post_bytes(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> Result<(), String> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "the destination".into());
        let mut request = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.map_err(|e| {
            let why = if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                "could not connect".to_string()
            } else {
                e.without_url().to_string()
            };
            format!("{why} ({host})")
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        let snippet: String = text.chars().take(200).collect();
        Err(format!(
            "HTTP {} from {host}: {}",
            status.as_u16(),
            snippet.trim()
        ))
    }
}
