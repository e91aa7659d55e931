//! What each demo tenant's panel logs: action codes, their resources and weights.

/// How an action changes its resource, so updates carry before/after values.
#[derive(Clone, Copy, Debug)]
pub enum Change {
    None,
    /// A new resource: `after` only.
    Create,
    /// Field `name` moves between two of these values.
    Field(&'static str, &'static [&'static str]),
    /// A numeric balance moves by an amount.
    Balance,
}

#[derive(Clone, Copy, Debug)]
pub struct ActionSpec {
    pub action: &'static str,
    pub category: &'static str,
    pub event_type: &'static str,
    pub resource: &'static str,
    pub verb: &'static str,
    pub critical: bool,
    pub change: Change,
    pub weight: u32,
}

const fn spec(
    action: &'static str,
    category: &'static str,
    event_type: &'static str,
    resource: &'static str,
    verb: &'static str,
    change: Change,
    weight: u32,
) -> ActionSpec {
    ActionSpec {
        action,
        category,
        event_type,
        resource,
        verb,
        critical: false,
        change,
        weight,
    }
}

const fn critical(mut s: ActionSpec) -> ActionSpec {
    s.critical = true;
    s
}

/// Sign-ins and their failures happen in every panel.
#[rustfmt::skip]
pub(super) const AUTH: &[ActionSpec] = &[
    spec("user.login", "auth", "login", "account", "signed in", Change::None, 30),
    spec("user.login.failed", "auth", "login_failed", "account", "failed to sign in", Change::None, 8),
    spec("user.logout", "auth", "logout", "account", "signed out", Change::None, 14),
    spec("user.otp.requested", "auth", "otp_requested", "account", "requested a one-time code", Change::None, 6),
    spec("user.otp.verified", "auth", "otp_verified", "account", "verified a one-time code", Change::None, 5),
];

#[rustfmt::skip]
pub(super) const KEYS_STORE: &[ActionSpec] = &[
    spec("license.created", "keys", "created", "license", "created licence key", Change::Create, 40),
    critical(spec("license.deleted", "keys", "deleted", "license", "deleted licence key", Change::None, 5)),
    spec("license.hwid_reset", "keys", "updated", "license", "reset the HWID of", Change::Field("hwid", &["9F2A-11C0", "77BE-0C1D", "A0D3-5E92", "(none)"]), 16),
    spec("license.extended", "keys", "updated", "license", "extended", Change::Field("expires_at", &["2026-12-31", "2027-03-31", "2027-06-30", "2027-12-31"]), 12),
    spec("license.paused", "keys", "updated", "license", "paused", Change::Field("status", &["active", "paused"]), 4),
    spec("balance.added", "balance", "created", "store", "added balance to", Change::Balance, 8),
    critical(spec("balance.transferred", "balance", "updated", "store", "transferred balance from", Change::Balance, 6)),
    spec("team.member.invited", "team", "created", "member", "invited", Change::Create, 3),
    spec("team.member.permissions_updated", "team", "updated", "member", "changed the permissions of", Change::Field("permissions", &["keys:read", "keys:write", "keys:write,balance:read", "admin"]), 3),
    spec("settings.webhook.updated", "settings", "updated", "store", "updated the webhook of", Change::Field("webhook_url", &["https://hooks.example.com/a", "https://hooks.example.com/b", ""]), 2),
];

#[rustfmt::skip]
pub(super) const LOYALTY: &[ActionSpec] = &[
    spec("card.created", "cards", "created", "card", "created stamp card", Change::Create, 10),
    spec("card.updated", "cards", "updated", "card", "updated stamp card", Change::Field("stamps_required", &["8", "10", "12"]), 6),
    spec("member.created", "members", "created", "member", "enrolled member", Change::Create, 14),
    spec("member.updated", "members", "updated", "member", "updated member", Change::Field("tier", &["bronze", "silver", "gold"]), 10),
    spec("stamp.added", "transactions", "created", "card", "added a stamp to", Change::None, 35),
    spec("reward.redeemed", "rewards", "updated", "reward", "redeemed", Change::None, 12),
    critical(spec("reward.deleted", "rewards", "deleted", "reward", "deleted reward", Change::None, 2)),
];

#[rustfmt::skip]
pub(super) const CASINO: &[ActionSpec] = &[
    spec("player.profile.updated", "players", "updated", "player", "changed the profile of", Change::Field("deposit_limit", &["100", "250", "500", "1000"]), 14),
    critical(spec("player.balance.adjusted", "balance", "updated", "player", "adjusted the balance of", Change::Balance, 8)),
    critical(spec("bonus.manual_assigned", "bonuses", "created", "bonus", "assigned a manual bonus", Change::Create, 6)),
    critical(spec("withdrawal.cancelled", "finance", "updated", "withdrawal", "cancelled withdrawal", Change::Field("status", &["pending", "cancelled"]), 4)),
    spec("promotion.disabled", "promotions", "updated", "promotion", "disabled promotion", Change::Field("enabled", &["true", "false"]), 2),
    spec("staff.role.changed", "team", "updated", "member", "changed the role of", Change::Field("role", &["support", "finance", "manager"]), 2),
    spec("report.exported", "reports", "exported", "report", "exported", Change::None, 5),
];

#[rustfmt::skip]
pub(super) const PAYMENTS: &[ActionSpec] = &[
    spec("org.member:invited", "team", "created", "member", "invited team member", Change::Create, 4),
    spec("org.member:updated", "team", "updated", "member", "updated team member", Change::Field("role", &["viewer", "developer", "owner"]), 4),
    critical(spec("org.api_key:created", "keys", "created", "api_key", "created API key", Change::Create, 3)),
    spec("payment_route:updated", "routing", "updated", "payment_route", "updated payment route", Change::Field("provider", &["acquirer-a", "acquirer-b", "acquirer-c"]), 10),
    spec("merchant_account:created", "accounts", "created", "merchant_account", "created merchant account", Change::Create, 6),
    spec("fx_rate_scheme:updated", "fx", "updated", "fx_rate_scheme", "updated FX scheme", Change::Field("markup_bps", &["25", "40", "55"]), 5),
];
