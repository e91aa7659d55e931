//! Resolves the session cookie once per request, attaches the result for
//! server functions, and keeps pages from anyone who may not see them.

use super::{ApiError, AppState};
use app::{
    auth::{ClientInfo, RequestAuth, SessionState},
    model::Role,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use std::net::{IpAddr, SocketAddr};

/// Pages anyone may open.
const SIGN_IN: &str = "/sign-in";
const NO_ACCESS: &str = "/no-access";
const ACCOUNT: &str = "/account";
const EMBED: &str = "/embed";

pub(super) async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_info(&request, &state);
    let auth = match RequestAuth::resolve(
        &*state.store,
        request.headers(),
        client,
        state.session_max_age_us,
    )
    .await
    {
        Ok(auth) => auth,
        Err(err) => return ApiError::from(err).into_response(),
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
    // The embedded viewer answers to its token, not to a session.
    if path == EMBED || path.starts_with("/embed/") {
        return None;
    }
    match (path, signed_in) {
        (SIGN_IN, Some(_)) => Some(next_from(request).unwrap_or_else(|| "/".into())),
        (SIGN_IN, None) => None,
        (_, None) => Some(format!(
            "{SIGN_IN}?next={}",
            form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        )),
        (NO_ACCESS, Some(_)) => None,
        // A reset password must be replaced before anything else is shown.
        (ACCOUNT, Some(m)) if m.password_temporary() => None,
        (_, Some(m)) if m.password_temporary() => Some(ACCOUNT.into()),
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
        .and_then(|(_, v)| app::model::local_path(&v).map(str::to_string))
}

/// The client in an `X-Forwarded-For` chain. Each proxy appends the address
/// it was reached from, so only the right end is written by proxies we
/// trust; anything to the left the client may have typed itself. The client
/// is the rightmost address that is not one of our own proxies.
fn forwarded_client(header: &str, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let mut hops = header.rsplit(',').map(str::trim);
    let mut last = None;
    for hop in hops.by_ref() {
        let ip: IpAddr = hop.parse().ok()?;
        last = Some(ip);
        if !trusted.iter().any(|net| net.contains(&ip)) {
            return Some(ip);
        }
    }
    last
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
            .and_then(|v| forwarded_client(&v, &state.network.trusted_proxies))
            .map(|ip| ip.to_string());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_rightmost_forwarded_address_that_is_not_our_proxy() {
        let none: [ipnet::IpNet; 0] = [];
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // A client typing its own header cannot choose what we record.
        assert_eq!(
            forwarded_client("6.6.6.6, 203.0.113.7", &none),
            ip("203.0.113.7")
        );
        let lb = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            forwarded_client("6.6.6.6, 203.0.113.7, 10.1.2.3", &lb),
            ip("203.0.113.7")
        );
        assert_eq!(forwarded_client("10.0.0.9, 10.1.2.3", &lb), ip("10.0.0.9"));
        assert_eq!(forwarded_client("203.0.113.7, not-an-ip", &none), None);
    }
}
