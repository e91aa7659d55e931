//! A per-key sliding-window rate limit, held in memory: for actions that
//! cost the server or a third party something on every call (test messages,
//! code checks). Each instance counts its own requests.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// At most `max` calls per key in any `window`.
#[derive(Clone)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    calls: Arc<Mutex<HashMap<String, VecDeque<Instant>>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            max,
            window,
            calls: Arc::default(),
        }
    }

    /// Counts a call for `key` now, or refuses it with how long to wait.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        // Forget keys whose calls have all left the window, so the map stays
        // as small as the set of recent callers.
        let window = self.window;
        calls.retain(|_, times| {
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= window)
            {
                times.pop_front();
            }
            !times.is_empty()
        });
        let times = calls.entry(key.to_string()).or_default();
        if times.len() >= self.max {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

/// The limiters server functions share, handed to them through context.
#[derive(Clone)]
pub struct Limiters {
    /// Test messages per member: each one reaches a third party.
    pub test_sends: RateLimiter,
    /// Refused sign-ins while throttled: one own-log record per email (or
    /// address) and throttle window, however many attempts.
    pub throttled_sign_ins: super::OncePerWindow,
    /// Live streams per member: each polls the database every 700 ms.
    pub live_streams: super::Slots,
    /// Exports running at once per member or API key.
    pub exports: super::Slots,
    /// Chain verifications running at once per member.
    pub verifications: super::Slots,
}

impl Default for Limiters {
    fn default() -> Self {
        Limiters {
            test_sends: RateLimiter::new(5, Duration::from_secs(10 * 60)),
            throttled_sign_ins: super::OncePerWindow::new(Duration::from_micros(
                crate::auth::WINDOW_US as u64,
            )),
            live_streams: super::Slots::new(8),
            exports: super::Slots::new(2),
            verifications: super::Slots::new(1),
        }
    }
}

/// "Try again in N minutes" for a refused call.
pub fn wait_text(wait: Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("try again in {minutes} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_refused_past_its_limit_until_its_oldest_call_leaves_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.check_at("a", start).is_ok());
        assert!(limiter
            .check_at("a", start + Duration::from_secs(10))
            .is_ok());
        let wait = limiter
            .check_at("a", start + Duration::from_secs(20))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(limiter
            .check_at("b", start + Duration::from_secs(20))
            .is_ok());
        assert!(limiter
            .check_at("a", start + Duration::from_secs(61))
            .is_ok());
    }
}
