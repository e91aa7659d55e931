//! Request-level hardening: where a sign-in may send the browser, what an
//! unauthenticated ingest can make the server read, and which address the
//! own log believes a request came from.

use crate::support::{spawn_app, spawn_configured, sqlite_url};
use server::{config::Limits, http::Network};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn after_sign_in_only_paths_on_this_site_are_followed() {
    let app = spawn_app().await;
    for next in [
        "/%5Cevil.com",
        "/%09/evil.com",
        "//evil.com",
        "https://evil.com",
    ] {
        let response = app
            .client
            .get(format!("{}/sign-in?next={next}", app.base))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{next}");
        assert_eq!(response.headers()["location"], "/", "{next}");
    }
    let response = app
        .client
        .get(format!("{}/sign-in?next=/analytics%3Frange%3D7d", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/analytics?range=7d");
}

#[tokio::test]
async fn ingest_without_a_valid_key_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // Announces 15 MB and sends none of it: a server reading the body
    // first would wait for the rest.
    let head = format!(
        "POST /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer lb_wrong_key\r\n\
         Content-Type: application/json\r\nContent-Length: 15000000\r\n\r\n["
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut answer))
        .await
        .expect("no answer while the body was still owed")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
}

#[tokio::test]
async fn behind_a_proxy_the_recorded_address_is_the_one_the_proxy_saw_not_one_the_client_typed() {
    let app = spawn_configured(sqlite_url(), Limits::default(), |state| {
        state.with_network(Network {
            trust_proxy: true,
            trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()].into(),
            secure_cookies: false,
        })
    })
    .await;
    let response = app
        .anonymous()
        .post(format!("{}/api/auth/sign_in", app.base))
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2")
        .form(&[("email", "partner@acme.io"), ("password", "wrong-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let failed = app
        .self_log()
        .await
        .into_iter()
        .find(|e| e.action == "auth.sign_in.failed")
        .unwrap();
    assert_eq!(failed.ip.as_deref(), Some("203.0.113.7"));
}

#[tokio::test]
async fn refused_sign_ins_cannot_grow_the_own_log_and_never_record_a_typed_password() {
    let app = spawn_app().await;
    let huge = format!("{}@acme.io", "x".repeat(100_000));
    for _ in 0..30 {
        let response = app.sign_in(&huge, "not-the-password").await;
        assert!(matches!(response.status().as_u16(), 400 | 429));
    }
    app.sign_in("correct-horse-battery-staple", "x").await;
    let failed: Vec<_> = app
        .self_log()
        .await
        .into_iter()
        .filter(|e| e.action == "auth.sign_in.failed")
        .collect();
    // Five failures reach the throttle; the 25 refused after it are one record.
    assert_eq!(
        failed.len(),
        7,
        "{:#?}",
        failed.iter().map(|e| &e.description).collect::<Vec<_>>()
    );
    let kept = serde_json::to_string(&failed).unwrap();
    assert!(kept.len() < 40_000, "{} bytes recorded", kept.len());
    assert!(
        !kept.contains("correct-horse"),
        "a typed password was recorded"
    );
    assert!(kept.contains("refused_since_last_record"));
}

#[tokio::test]
async fn markup_in_an_event_type_or_category_is_shown_as_text_in_charts_and_tables() {
    let app = spawn_app().await;
    let mut wire = crate::support::event("user.login", "markup probe");
    wire["event_type"] = serde_json::json!("<img src=x onerror=alert(1)>");
    wire["category"] = serde_json::json!("<script>alert(2)</script>");
    app.ingest_one(wire).await;
    for path in [
        "/analytics?range=7d&tz=UTC",
        "/analytics?range=7d&tz=UTC&stack=category",
        "/?range=7d",
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!html.contains("<img src=x"), "{path} carries the raw tag");
        assert!(
            !html.contains("<script>alert(2)"),
            "{path} carries the raw tag"
        );
    }
    let (_, html) = app.get("/analytics?range=7d&tz=UTC").await;
    assert!(
        html.contains("&lt;img src=x"),
        "the type is not shown at all"
    );
}

#[tokio::test]
async fn pages_forbid_framing_and_foreign_scripts_and_a_cross_site_post_is_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    let scripts = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{scripts}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "hydration scripts carry the nonce"
    );

    let partner = app.session("partner@acme.io").await;
    let forged = partner
        .post(format!("{}/api/auth/password", app.base))
        .header("origin", "https://evil.example")
        .form(&[
            ("current", crate::support::PASSWORD),
            ("new", "taken-over-123"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let framed = partner
        .post(format!("{}/api/auth/sign_out", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(framed.status(), 403);
    assert_eq!(
        app.call(&partner, "tenants/list", serde_json::json!({}))
            .await
            .0,
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn a_key_made_for_ingest_cannot_export_and_one_given_the_export_scope_can() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let create = |scopes: &'static [&'static str]| {
        let mut form = vec![("tenant", "acme"), ("name", "billing")];
        form.extend(scopes.iter().map(|scope| (*scope, "on")));
        let partner = partner.clone();
        let url = format!("{}/api/keys/create", app.base);
        async move {
            let created: serde_json::Value = partner
                .post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            created["secret"].as_str().unwrap().to_string()
        }
    };
    let export = |key: String| {
        let url = format!("{}/api/v1/events/export?format=ndjson&range=all", app.base);
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
        }
    };
    let ingest_only = create(&["ingest"]).await;
    let sent = reqwest::Client::new()
        .post(format!("{}/api/v1/events", app.base))
        .bearer_auth(&ingest_only)
        .json(&crate::support::event("user.login", "scoped"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let refused = export(ingest_only).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("'export' scope"));
    let reader = create(&["read"]).await;
    assert_eq!(export(reader).await.status(), 403, "read is not export");
    let exporter = create(&["export"]).await;
    let exported = export(exporter).await;
    assert_eq!(exported.status(), 200);
    assert!(exported.text().await.unwrap().contains("scoped"));
}

#[tokio::test]
async fn a_key_made_in_the_dashboard_with_no_scope_is_refused_with_a_reason() {
    let app = spawn_app().await;
    let partner = app.session("partner@acme.io").await;
    let refused = partner
        .post(format!("{}/api/keys/create", app.base))
        .form(&[("tenant", "acme"), ("name", "nothing")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("ingest, read or export"));
}

#[tokio::test]
async fn alert_tokens_and_one_time_code_seeds_are_sealed_in_the_database_and_urls_shown_by_host() {
    let url = sqlite_url();
    let app = spawn_configured(url.clone(), Limits::default(), |state| state).await;
    let save = |kind: &str, target: &str, secret: Option<&str>| {
        let body = serde_json::json!({ "form": {
            "name": format!("{kind} at rest"), "tenant": "acme", "kind": kind,
            "target": target, "secret": secret,
        } });
        let client = app.client.clone();
        let url = format!("{}/api/alerts/destinations/save", app.base);
        async move { client.post(url).json(&body).send().await.unwrap().status() }
    };
    assert_eq!(
        save(
            "slack",
            "https://93.184.216.34/services/T0/B0/slackpathsecret",
            None
        )
        .await,
        200
    );
    assert_eq!(
        save(
            "webhook",
            "https://93.184.216.34/hook",
            Some("whsec_signingsecret")
        )
        .await,
        200
    );
    assert_eq!(
        save("telegram", "-100123", Some("123456:telegramtokensecret")).await,
        200
    );
    let auditor = app.session("auditor@test.io").await;
    let (_, enrolment) = app
        .call(&auditor, "auth/totp/begin", serde_json::json!({}))
        .await;
    let seed = enrolment["secret"].as_str().unwrap().to_string();

    let (_, shown) = app
        .call(&app.client, "alerts/load", serde_json::json!({}))
        .await;
    let shown = shown.to_string();
    assert!(
        !shown.contains("slackpathsecret"),
        "the browser got the Slack URL"
    );
    assert!(shown.contains("https://93.184.216.34/…"));

    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mut bytes = Vec::new();
    for file in [path.clone(), format!("{path}-wal")] {
        bytes.extend(std::fs::read(file).unwrap_or_default());
    }
    let raw = String::from_utf8_lossy(&bytes);
    for secret in [
        "slackpathsecret",
        "whsec_signingsecret",
        "telegramtokensecret",
        seed.as_str(),
    ] {
        assert!(!raw.contains(secret), "{secret} is stored in the clear");
    }
}
