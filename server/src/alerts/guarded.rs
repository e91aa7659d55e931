//! The HTTP client destinations are sent through: every host name is
//! resolved by `app::guard`, which refuses internal addresses unless the
//! operator allowed them, and the connection goes to exactly the addresses
//! it checked (a name that re-resolves to 127.0.0.1 afterwards gains
//! nothing). Literal addresses never reach a resolver, so they are checked
//! before each request. Redirects are not followed.

use app::guard::{public_addrs, TargetPolicy};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{net::IpAddr, sync::Arc, time::Duration};

/// The guard's refusal of a destination's address, told apart from other
/// connection failures: it names what the operator can change.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(super) struct Refused(pub String);

struct CheckedResolver(TargetPolicy);

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let addrs = public_addrs(name.as_str(), 0, policy)
                .await
                .map_err(Refused)?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A client for URLs that tenants chose.
pub(super) fn client(policy: TargetPolicy, timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("Logbook/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(CheckedResolver(policy)))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Refuses a URL whose host is an internal address literal, by the same
/// check the resolver applies to names (literals never reach it).
pub(super) async fn check_literal(url: &reqwest::Url, policy: TargetPolicy) -> Result<(), String> {
    let host = url.host_str().ok_or("the URL has no host")?;
    if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
        public_addrs(host, 0, policy).await?;
    }
    Ok(())
}

/// The guard's refusal somewhere among `err`'s causes, if that is why it failed.
pub(super) fn refusal<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(refused) = err.downcast_ref::<Refused>() {
            return Some(refused);
        }
        cause = err.source();
    }
    None
}
