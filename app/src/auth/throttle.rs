//! When to refuse sign-in attempts: too many recent failures for one account
//! or from one IP. Pure policy; the store counts the failures.

use crate::store::FailureCounts;

/// Failures are counted over this sliding window (15 minutes).
pub const WINDOW_US: i64 = 15 * 60 * 1_000_000;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Higher: several people may sign in from one office address.
pub const MAX_FAILURES_PER_IP: i64 = 20;

/// Why sign-in is refused and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleWait {
    pub minutes: i64,
    pub by_ip: bool,
}

impl ThrottleWait {
    pub fn message(self) -> String {
        let who = if self.by_ip {
            "from this address"
        } else {
            "for this account"
        };
        let unit = if self.minutes == 1 {
            "minute"
        } else {
            "minutes"
        };
        format!(
            "Too many failed sign-ins {who}. Try again in {} {unit}.",
            self.minutes
        )
    }
}

/// `Some(wait)` when attempts must be refused now; counts are failures in
/// the window ending at `now`.
pub fn throttle_wait(counts: &FailureCounts, now: i64) -> Option<ThrottleWait> {
    // The block lifts when the oldest counted failure leaves the window.
    let wait = |oldest: Option<i64>, by_ip| {
        let until = oldest.unwrap_or(now) + WINDOW_US;
        let minutes = ((until - now).max(0) + 59_999_999) / 60_000_000;
        ThrottleWait {
            minutes: minutes.max(1),
            by_ip,
        }
    };
    if counts.by_email >= MAX_FAILURES_PER_ACCOUNT {
        Some(wait(counts.oldest_by_email, false))
    } else if counts.by_ip >= MAX_FAILURES_PER_IP {
        Some(wait(counts.oldest_by_ip, true))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    #[test]
    fn four_failures_are_allowed_and_the_fifth_blocks_the_account() {
        let now = 100 * MIN;
        let mut counts = FailureCounts {
            by_email: 4,
            oldest_by_email: Some(now - 2 * MIN),
            ..Default::default()
        };
        assert_eq!(throttle_wait(&counts, now), None);
        counts.by_email = 5;
        let wait = throttle_wait(&counts, now).unwrap();
        assert_eq!(wait.minutes, 13);
        assert_eq!(
            wait.message(),
            "Too many failed sign-ins for this account. Try again in 13 minutes."
        );
    }

    #[test]
    fn an_address_is_blocked_after_twenty_failures_across_accounts() {
        let now = 100 * MIN;
        let counts = FailureCounts {
            by_email: 1,
            oldest_by_email: Some(now),
            by_ip: 20,
            oldest_by_ip: Some(now - 14 * MIN - 30_000_000),
        };
        let wait = throttle_wait(&counts, now).unwrap();
        assert!(wait.by_ip);
        assert_eq!(
            wait.message(),
            "Too many failed sign-ins from this address. Try again in 1 minute."
        );
    }
}
