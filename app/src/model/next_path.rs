//! Where to go after signing in: only a path on this site. Browsers read
//! `/\evil.com` and `/<tab>/evil.com` as `//evil.com`, another site, so a
//! path holding a backslash, whitespace or a control character is refused
//! outright rather than cleaned.

/// `next` if it is a same-origin path, else `None`.
pub fn local_path(next: &str) -> Option<&str> {
    let clean = !next
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    (clean && next.starts_with('/') && !next.starts_with("//")).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed_after_sign_in() {
        for ok in ["/", "/analytics?range=7d", "/events/01J?x=http://a"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "/\t/evil.com",
            "/\n/evil.com",
            "/ /evil.com",
            "https://evil.com",
            "evil.com",
            "/\u{0}x",
            "",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
