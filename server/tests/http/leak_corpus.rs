//! Shapes in which secrets arrive in real events: secret keys spelled every
//! way senders spell them, at every depth, and secret values under keys that
//! look harmless. Each shape hides one unique marker that must never be stored.

use serde_json::{json, Value};

/// One shape: the event fragment (placed in before, after or metadata) and
/// the marker it hides.
pub(crate) struct Shape {
    pub fragment: Value,
    pub secret: String,
}

/// Keys whose values are secret, as different senders spell them.
const SECRET_KEYS: &[&str] = &[
    "password",
    "Password",
    "PASSWORD",
    "new_password",
    "newPassword",
    "new-password",
    "old_password",
    "password_confirmation",
    "passwd",
    "user_passphrase",
    "Passphrase",
    "client_secret",
    "clientSecret",
    "SECRET_KEY",
    "webhook-secret",
    "access_token",
    "accessToken",
    "refresh-token",
    "id_token",
    "TOKEN",
    "csrfToken",
    "api_key",
    "apiKey",
    "API-KEY",
    "x-api-key",
    "X_Api_Key",
    "access_key",
    "AccessKeyId",
    "aws_secret_access_key",
    "private_key",
    "privateKey",
    "PRIVATE-KEY",
    "authorization",
    "Authorization",
    "proxy-authorization",
    "cookie",
    "Cookie",
    "set-cookie",
    "session",
    "session_id",
    "sessionToken",
    "SESSION",
    "otp",
    "OTP",
    "otp_code",
    "otpCode",
    "totp",
    "totp_secret",
    "TOTPSeed",
    "card",
    "card_number",
    "cardNumber",
    "Card-Number",
    "pan",
    "PAN",
    "cvv",
    "CVV",
    "cvv2",
    "cvc",
    "password2",
    "pin",
];

/// Secret values that give themselves away whatever key they sit under.
fn secret_values(n: usize) -> Vec<String> {
    let pem = |kind: &str| {
        format!(
            "-----BEGIN {kind}PRIVATE KEY-----\nMIIEvQ{n:04}Bg\n-----END {kind}PRIVATE KEY-----"
        )
    };
    vec![
        format!("Bearer abcDEF{n:04}ghiJKLmno"),
        format!("bearer tok{n:04}-abcdefghijkl"),
        format!("BEARER {n:04}zzzzzzzzzzzzzz"),
        format!("Basic dXNlcjpwYXNz{n:04}"),
        format!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI{n:04}In0.sig_{n:04}abcDEF"),
        format!("eyJ0eXAiOiJKV1QifQ.eyJ1c2VyIjo{n:04}fQ.{n:04}-xyzXYZ"),
        pem("RSA "),
        pem("EC "),
        pem("OPENSSH "),
        pem(""),
        format!("sk_live_{n:04}4eC39HqLyjWDarjtT1"),
        format!("sk_test_{n:04}abcdefghijklmn"),
        format!("ghp_{n:04}16C7e42F292c6912E7710c83"),
        format!("github_pat_{n:04}11ABCDEFGHIJ"),
        format!("xoxb-{n:04}-123456789012-abcdef"),
        format!("glpat-{n:04}xxxxxxxxxxxxxxxx"),
        format!("AKIA{n:04}IOSFODNN7EXA"),
    ]
}

/// Card numbers that pass Luhn, written the ways people write them; each
/// ends in a check digit computed for its unique middle digits.
fn card_numbers(n: usize) -> Vec<String> {
    let with_check = |body: String| {
        let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = digits
            .iter()
            .rev()
            .enumerate()
            // The check digit will be rightmost, so the body's last digit is doubled.
            .map(|(i, &d)| match (i % 2 == 0, d * 2) {
                (true, twice) if twice > 9 => twice - 9,
                (true, twice) => twice,
                (false, _) => d,
            })
            .sum();
        format!("{body}{}", (10 - sum % 10) % 10)
    };
    vec![
        with_check(format!("411111111111{n:03}")),
        with_check(format!("5500 0000 0{n:03} 000")),
        with_check(format!("3400-000000-{n:03}0")),
        with_check(format!("60110000000{n:04}")),
    ]
}

/// At least 100 shapes, each with its own marker.
pub(crate) fn shapes() -> Vec<Shape> {
    let mut shapes = Vec::new();
    for (i, key) in SECRET_KEYS.iter().enumerate() {
        let secret = format!("leak-key-{i:03}-Qz");
        // Alternate the depth and container so every spelling is tried nested.
        let fragment = match i % 5 {
            0 => json!({ *key: secret }),
            1 => json!({ "user": { "profile": { *key: secret } } }),
            2 => json!({ "headers": [{ "accept": "json" }, { *key: secret }] }),
            3 => json!({ "a": { "b": { "c": { "d": [{ "e": { *key: secret } }] } } } }),
            _ => json!({ *key: { "old": secret, "new": format!("{secret}-new") } }),
        };
        shapes.push(Shape { fragment, secret });
    }
    for (i, secret) in secret_values(1)
        .into_iter()
        .chain(card_numbers(1))
        .chain(secret_values(2))
        .chain(card_numbers(2))
        .enumerate()
    {
        // Innocent keys: the value alone must give the secret away.
        let fragment = match i % 4 {
            0 => json!({ "note": secret }),
            1 => json!({ "request": { "header_value": secret } }),
            2 => json!({ "lines": ["ordinary text", secret] }),
            _ => json!({ "deep": [[{ "value": secret }]] }),
        };
        shapes.push(Shape { fragment, secret });
    }
    shapes
}

/// Values that must come through untouched, some of them close to secrets.
pub(crate) fn ordinary() -> Value {
    json!({
        "email": "keep-email@acme.io",
        "company": "keep-Acme Corp",
        "expand": "keep-expand",
        "tokenizer": "keep-tokenizer",
        "passenger": "keep-passenger",
        "pancake": "keep-pancake",
        "order_number": "4111 1111 1111 1112",
        "amount": "-12.50",
        "phone": "+49 30 1234567",
        "description": "keep-Password reset requested by the user",
        "regions": ["keep-eu-west-1", "keep-ASIA-PACIFIC"],
    })
}
