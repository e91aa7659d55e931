//! Browser-side protection on every response, and a same-origin check on
//! every state-changing request: a page on another site cannot make a
//! signed-in browser change anything here (CSRF), nor frame our pages.

use axum::{
    body::Body,
    http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// For responses that carry no policy of their own (JSON, files, errors);
/// pages set theirs, with the render's nonce, in `app::shell`.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

pub(super) async fn protect(request: Request<Body>, next: Next) -> Response {
    if let Err(why) = same_origin(request.method(), request.uri().path(), request.headers()) {
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DEFAULT_CSP),
        );
    }
    response
}

/// Refuses a state-changing request a browser sent from another site.
/// Browsers say where a request comes from (`Sec-Fetch-Site`, or at least
/// `Origin` on a POST); a request with neither comes from no browser
/// (curl, an application), which cannot carry a victim's cookie anyway.
/// The ingest API authenticates with a bearer key, never a cookie.
fn same_origin(method: &Method, path: &str, headers: &HeaderMap) -> Result<(), &'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) || path == "/api/v1/events" {
        return Ok(());
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("refused: this request came from another site"),
        };
    }
    match (text("origin"), text("host")) {
        (None, _) => Ok(()),
        (Some(origin), Some(host)) if origin_host(origin) == Some(host) => Ok(()),
        _ => Err("refused: this request came from another site"),
    }
}

/// `host[:port]` of an `Origin` value (`https://logbook.example:8443`).
fn origin_host(origin: &str) -> Option<&str> {
    let (_, rest) = origin.split_once("://")?;
    Some(rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_state_change_from_another_site_is_refused_and_one_from_ours_or_no_browser_is_not() {
        let post = Method::POST;
        let path = "/api/auth/password";
        for refused in [
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
            headers(&[
                ("origin", "https://evil.example"),
                ("host", "logbook.example"),
            ]),
            headers(&[("origin", "null"), ("host", "logbook.example")]),
        ] {
            assert!(same_origin(&post, path, &refused).is_err(), "{refused:?}");
        }
        for allowed in [
            headers(&[("sec-fetch-site", "same-origin")]),
            headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000"),
            ]),
            headers(&[]),
        ] {
            assert!(same_origin(&post, path, &allowed).is_ok(), "{allowed:?}");
        }
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(same_origin(&Method::GET, "/", &cross).is_ok());
        assert!(same_origin(&post, "/api/v1/events", &cross).is_ok());
    }
}
