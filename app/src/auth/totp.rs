//! One-time codes (TOTP, RFC 6238: SHA-1, 6 digits, 30 s steps, one step of
//! clock skew either way), enrolled by QR code or by typing the secret.

use qrcode::{render::svg, QrCode};
use totp_rs::{Algorithm, Secret, TOTP};

/// What the enrolment screen shows: the secret, its `otpauth://` URL and a QR code.
pub struct Enrolment {
    pub secret: String,
    pub url: String,
    pub qr_svg: String,
}

/// A fresh base32 secret (160 bits).
pub fn new_secret() -> String {
    match Secret::generate_secret().to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded returns the encoded form"),
    }
}

fn totp(secret: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Logbook".to_string()),
        account.replace(':', "_"),
    )
    .ok()
}

pub fn enrolment(secret: &str, account: &str) -> Option<Enrolment> {
    let url = totp(secret, account)?.get_url();
    let qr_svg = QrCode::new(url.as_bytes())
        .ok()?
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(Enrolment {
        secret: secret.to_string(),
        url,
        qr_svg,
    })
}

/// The time step (`unix_seconds / 30`) whose code `code` (spaces ignored) is, within one
/// step of skew either way: what the account records as used, so the same
/// code cannot be replayed.
pub fn code_step(secret: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    use subtle::ConstantTimeEq;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 {
        return None;
    }
    let totp = totp(secret, "check")?;
    let now = unix_seconds / 30;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| bool::from(totp.generate(step * 30).as_bytes().ct_eq(code.as_bytes())))
        .map(|step| step as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_code(secret: &str, code: &str, unix_seconds: u64) -> bool {
        code_step(secret, code, unix_seconds).is_some()
    }

    /// RFC 6238 appendix B's SHA-1 secret, "12345678901234567890" in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // Appendix B lists 8-digit codes; the 6-digit code is their last six.
        assert!(check_code(RFC_SECRET, "287082", 59));
        assert!(check_code(RFC_SECRET, "081804", 1_111_111_109));
        assert!(check_code(RFC_SECRET, "050471", 1_111_111_111));
    }

    #[test]
    fn a_code_names_the_time_step_it_belongs_to() {
        assert_eq!(
            code_step(RFC_SECRET, "081804", 1_111_111_109),
            Some(37_037_036)
        );
        assert_eq!(
            code_step(RFC_SECRET, "081804", 1_111_111_109 + 30),
            Some(37_037_036)
        );
        assert_eq!(code_step(RFC_SECRET, "000000", 1_111_111_109), None);
    }

    #[test]
    fn a_code_from_two_steps_ago_is_refused_but_one_step_of_skew_is_allowed() {
        assert!(check_code(RFC_SECRET, "081804", 1_111_111_109 + 30));
        assert!(!check_code(RFC_SECRET, "081804", 1_111_111_109 + 60));
    }

    #[test]
    fn enrolment_gives_an_otpauth_url_and_an_svg_qr_code() {
        let secret = new_secret();
        let e = enrolment(&secret, "alice@shop.io").unwrap();
        assert!(
            e.url.starts_with("otpauth://totp/Logbook:alice%40shop.io?"),
            "{}",
            e.url
        );
        assert!(e.url.contains(&format!("secret={secret}")));
        assert!(e.qr_svg.contains("<svg"));
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert!(!check_code(RFC_SECRET, "28708", 59));
        assert!(!check_code(RFC_SECRET, "abcdef", 59));
        assert!(check_code(RFC_SECRET, "287 082", 59));
    }
}
