//! Email over SMTP with lettre: TLS mode, port and credentials from the
//! configuration.

use super::message::Notice;
use crate::config::{SmtpConfig, SmtpTls};
use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;
use std::time::Duration;

#[derive(Clone)]
pub(super) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub(super) fn new(config: &SmtpConfig, timeout: Duration) -> Result<Mailer, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("[alerts.smtp] from '{}': {e}", config.from))?;
        let builder = match config.tls {
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &config.host,
            )),
        }
        .map_err(|e| format!("[alerts.smtp] host '{}': {e}", config.host))?;
        let port = config.port.unwrap_or(match config.tls {
            SmtpTls::Tls => 465,
            SmtpTls::Starttls => 587,
            SmtpTls::None => 25,
        });
        let mut builder = builder.port(port).timeout(Some(timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_string(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends the notice to every address in `to` (comma-separated), as one message.
    pub(super) async fn send(&self, to: &str, notice: &Notice) -> Result<(), String> {
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(subject(notice));
        for address in to.split(',').map(str::trim).filter(|a| !a.is_empty()) {
            let mailbox: Mailbox = address
                .parse()
                .map_err(|e| format!("'{address}' is not an address: {e}"))?;
            message = message.to(mailbox);
        }
        let body = format!(
            "{}\n\n-- Logbook. Change or mute this rule on the Alerts page.\n",
            notice.text()
        );
        let message = message
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("cannot build the email: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {e}"))
    }
}

/// The subject: as much of the line as reads well in a mail list.
fn subject(notice: &Notice) -> String {
    let line: String = notice.line.chars().take(120).collect();
    let more = if notice.line.chars().count() > 120 {
        "…"
    } else {
        ""
    };
    format!("[Logbook] {line}{more}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_in_the_subject_but_kept_whole_in_the_body() {
        let notice = Notice {
            title: "[Logbook] Rule".into(),
            line: "x".repeat(300),
            link: None,
        };
        let s = subject(&notice);
        assert!(s.ends_with('…'));
        assert_eq!(s.chars().count(), "[Logbook] ".len() + 121);
        assert_eq!(notice.text().len(), 300);
    }
}
