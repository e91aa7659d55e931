//! The HTTP client destinations are sent through: every host name is
//! resolved by `app::guard`, which refuses internal addresses unless the
//! operator allowed them, and the connection goes to exactly the addresses
//! it checked (a name that re-resolves to 127.0.0.1 afterwards gains
//! nothing). Literal addresses never reach a resolver, so they are checked
//! before each request. Redirects are not followed.

use app::guard::{is_public, public_addrs, TargetPolicy};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{net::IpAddr, sync::Arc, time::Duration};

struct CheckedResolver(TargetPolicy);

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let addrs = public_addrs(name.as_str(), 0, policy).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A client for URLs that tenants chose.
pub fn client(policy: TargetPolicy, timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("Logbook/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(CheckedResolver(policy)))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Refuses a URL whose host is an internal address literal.
pub fn check_literal(url: &reqwest::Url, policy: TargetPolicy) -> Result<(), String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return Ok(()); // a name: the resolver checks it
    };
    if policy.allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(format!(
            "{ip} is an internal address; destinations must be on the public internet"
        ))
    }
}
