//! Resolves the session cookie once per request, attaches the result for
//! server functions, and keeps pages from anyone who may not see them.

use super::AppState;
use app::{
    auth::{ClientInfo, RequestAuth, SessionState},
    model::Role,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use std::net::SocketAddr;

/// Pages anyone may open.
const SIGN_IN: &str = "/sign-in";
const NO_ACCESS: &str = "/no-access";

pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_info(&request, &state);
    let auth = match RequestAuth::resolve(&*state.store, request.headers(), client).await {
        Ok(auth) => auth,
        Err(err) => {
            tracing::error!(error = %err, "session lookup failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
        }
    };
    if is_page(&request) {
        if let Some(to) = page_redirect(&request, &auth) {
            return Redirect::to(&to).into_response();
        }
    }
    request.extensions_mut().insert(auth);
    next.run(request).await
}

/// A GET for an HTML page (not an API call, a bundle file or an asset).
fn is_page(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/pkg/")
        && path != "/healthz"
        && !path.rsplit('/').next().unwrap_or("").contains('.')
}

/// Where to send someone who may not see this page, if anywhere.
fn page_redirect(request: &Request, auth: &RequestAuth) -> Option<String> {
    let path = request.uri().path();
    let here = request
        .uri()
        .path_and_query()
        .map_or(path, |pq| pq.as_str());
    let signed_in = match &auth.session {
        Some(SessionState::SignedIn(member)) => Some(member),
        _ => None,
    };
    match (path, signed_in) {
        (SIGN_IN, Some(_)) => Some(next_from(request).unwrap_or_else(|| "/".into())),
        (SIGN_IN, None) => None,
        (_, None) => Some(format!(
            "{SIGN_IN}?next={}",
            form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        )),
        (NO_ACCESS, Some(_)) => None,
        // Staff and customers have no access to logs or settings at all.
        (_, Some(m)) if matches!(m.role(), Role::Staff | Role::Customer) => Some(NO_ACCESS.into()),
        _ => None,
    }
}

/// The `next` parameter, only if it is a path on this site.
fn next_from(request: &Request) -> Option<String> {
    let query = request.uri().query()?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .filter(|v| v.starts_with('/') && !v.starts_with("//") && !v.contains('\\'))
}

fn client_info(request: &Request, state: &AppState) -> ClientInfo {
    let headers = request.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    // Behind a proxy the peer is the proxy; trust its headers only when told to.
    let (ip, forwarded_tls) = if state.network.trust_proxy {
        let forwarded = header("x-forwarded-for")
            .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
            .filter(|v| !v.is_empty());
        let tls = header("x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https"));
        (forwarded.or(peer), tls)
    } else {
        (peer, false)
    };
    ClientInfo {
        ip,
        user_agent: header(header::USER_AGENT.as_str()),
        secure: state.network.secure_cookies || forwarded_tls,
    }
}
