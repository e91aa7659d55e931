//! Where alert destinations may point. A partner names a URL and Logbook's
//! server sends to it, so without a check a partner could reach whatever the
//! server reaches: loopback services, the cloud metadata address, the
//! office network. Each name is resolved and every address must be public,
//! at save time and again at send time (the sender connects only to the
//! addresses it checked, so a name that re-resolves elsewhere gains nothing).

use crate::model::DestinationKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Whether destinations may name private addresses: off by default; on
/// (`alerts.allow_private_targets`) for on-premise receivers and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_private: bool,
}

/// Whether `ip` is an address on the public internet: not loopback,
/// private, shared, link-local, multicast, unspecified, documentation or
/// reserved, in IPv4 or IPv6, including IPv4 inside IPv6 (mapped,
/// compatible, NAT64, 6to4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0100 && ip.segments()[1..4] == [0, 0, 0]) // discard-only
}

/// The IPv4 address an IPv6 address carries, where it carries one.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4); // ::ffff:a.b.c.d
    }
    if s[..6] == [0; 6] && !(s[6] == 0 && s[7] <= 1) {
        return Some(low); // ::a.b.c.d (deprecated "compatible")
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(low); // NAT64
    }
    if s[0] == 0x2002 {
        // 6to4: the IPv4 address is in the second and third groups.
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// Resolves `host:port` and returns its addresses when every one is
/// allowed by `policy`; an error naming no address otherwise.
pub async fn public_addrs(
    host: &str,
    port: u16,
    policy: TargetPolicy,
) -> Result<Vec<SocketAddr>, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| format!("the host name '{host}' does not resolve"))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(format!("the host name '{host}' does not resolve"));
    }
    if !policy.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(format!(
            "'{host}' is a private, loopback or otherwise internal address; \
             destinations must be on the public internet"
        ));
    }
    Ok(addrs)
}

/// Checks a destination's target as it is saved: its shape for its kind,
/// and for Slack and webhooks that the URL's host resolves to allowed
/// addresses only.
pub async fn check_destination(
    kind: DestinationKind,
    target: &str,
    policy: TargetPolicy,
) -> Result<(), String> {
    kind.check_target(target)?;
    if !matches!(kind, DestinationKind::Slack | DestinationKind::Webhook) {
        return Ok(());
    }
    let uri: http::Uri = target
        .trim()
        .parse()
        .map_err(|_| "the URL does not parse".to_string())?;
    let host = uri.host().ok_or("the URL has no host")?;
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err("the URL must not carry a user name or password".into());
    }
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    public_addrs(host, port, policy).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn internal_ipv4_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.170",
            "198.18.0.1",
            "192.0.2.1",
        ] {
            assert!(!public(ip), "{ip} passed as public");
        }
        for ip in ["1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1"] {
            assert!(public(ip), "{ip} refused");
        }
    }

    #[test]
    fn internal_ipv6_addresses_and_ipv4_inside_ipv6_are_not_public() {
        for ip in [
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "2002:7f00:0001::1",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(!public(ip), "{ip} passed as public");
        }
        for ip in ["2606:4700:4700::1111", "::ffff:1.1.1.1", "64:ff9b::1.1.1.1"] {
            assert!(public(ip), "{ip} refused");
        }
    }

    #[tokio::test]
    async fn a_webhook_to_loopback_or_metadata_is_refused_unless_private_targets_are_allowed() {
        let refuse = TargetPolicy::default();
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/hook",
            "http://[::ffff:127.0.0.1]/hook",
            "http://0.0.0.0/",
        ] {
            let err = check_destination(DestinationKind::Webhook, url, refuse)
                .await
                .unwrap_err();
            assert!(
                err.contains("internal address") || err.contains("does not resolve"),
                "{url}: {err}"
            );
        }
        let allow = TargetPolicy {
            allow_private: true,
        };
        check_destination(
            DestinationKind::Webhook,
            "http://127.0.0.1:8080/hook",
            allow,
        )
        .await
        .unwrap();
        let err = check_destination(
            DestinationKind::Slack,
            "https://user:pw@hooks.example/x",
            allow,
        )
        .await
        .unwrap_err();
        assert!(err.contains("user name"), "{err}");
    }
}
