//! Where a tenant's log may be embedded: the origins allowed to frame the
//! viewer, checked strictly since each becomes part of a
//! `Content-Security-Policy` header.

use serde::{Deserialize, Serialize};

/// What the embedded viewer knows of the token it was opened with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedInfo {
    /// The tenant's display name.
    pub tenant: String,
    /// Only this actor's events.
    pub actor: Option<String>,
    /// Only this resource's events: `(type, id)`.
    pub resource: Option<(String, String)>,
    /// May download what it shows.
    pub export: bool,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Why a viewer token opens nothing; the viewer says it in its language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ViewerProblem {
    /// Not a token this server made, or altered.
    Invalid,
    Expired,
    /// The API key that asked for it was revoked.
    Revoked,
}

/// Most origins one tenant may list.
pub const MAX_EMBED_ORIGINS: usize = 20;

/// `scheme://host[:port]`, lower-cased and without a trailing slash, or why
/// the text is not one. The host may start with `*.` (any subdomain).
pub fn check_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let refused = || {
        format!(
            "'{}' is not an origin: write scheme and host, with a port if needed \
             (https://portal.example.com, http://localhost:8080)",
            text.trim()
        )
    };
    let (scheme, rest) = origin.split_once("://").ok_or_else(refused)?;
    if !matches!(scheme, "http" | "https") {
        return Err(refused());
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    };
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let host_ok = !bare.is_empty()
        && bare.len() <= 253
        && bare.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0) && !p.starts_with('0'));
    if host_ok && port_ok {
        Ok(origin)
    } else {
        Err(refused())
    }
}

/// Every origin checked, duplicates dropped, at most `MAX_EMBED_ORIGINS`.
pub fn check_origins<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut origins: Vec<String> = Vec::new();
    for text in texts.into_iter().filter(|t| !t.trim().is_empty()) {
        let origin = check_origin(text)?;
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    if origins.len() > MAX_EMBED_ORIGINS {
        return Err(format!("at most {MAX_EMBED_ORIGINS} origins per tenant"));
    }
    Ok(origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_read_as_scheme_host_and_port_only() {
        assert_eq!(
            check_origin(" HTTPS://Portal.Example.com/ ").unwrap(),
            "https://portal.example.com"
        );
        assert_eq!(
            check_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            check_origin("https://*.shop.io").unwrap(),
            "https://*.shop.io"
        );
        for bad in [
            "portal.example.com",
            "ftp://x.io",
            "https://x.io/path",
            "https://x.io; script-src *",
            "https://x.io 'unsafe-inline'",
            "https://",
            "https://x.io:0",
            "https://x.io:99999",
            "https://x..io",
            "*",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_list_drops_blanks_and_duplicates_and_has_a_limit() {
        assert_eq!(
            check_origins(["https://a.io", "", "HTTPS://A.IO/", "http://b.io"]).unwrap(),
            vec!["https://a.io", "http://b.io"]
        );
        let many: Vec<String> = (0..21).map(|i| format!("https://s{i}.io")).collect();
        assert!(check_origins(many.iter().map(String::as_str)).is_err());
    }
}
