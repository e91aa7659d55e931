//! "Say it once per window, count the rest": for records that anyone can
//! cause without limit (refused sign-ins while throttled), so one record
//! per key and window stands for every attempt in it.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

#[derive(Clone)]
pub struct OncePerWindow {
    window: Duration,
    /// Per key: when its window started and the calls since its record.
    seen: Arc<Mutex<HashMap<String, (Instant, u64)>>>,
}

impl OncePerWindow {
    pub fn new(window: Duration) -> OncePerWindow {
        OncePerWindow {
            window,
            seen: Arc::default(),
        }
    }

    /// `Some(n)` when a record is due for `key` now, `n` being the calls
    /// counted (and not recorded) since the last one; `None` when this call
    /// is only counted.
    pub fn hit(&self, key: &str) -> Option<u64> {
        self.hit_at(key, Instant::now())
    }

    fn hit_at(&self, key: &str, now: Instant) -> Option<u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let window = self.window;
        // Keys idle for two windows are forgotten (their count with them:
        // the record that opened their window already stands for them).
        seen.retain(|_, (start, _)| now.duration_since(*start) < window * 2);
        match seen.get_mut(key) {
            Some((start, counted)) if now.duration_since(*start) < window => {
                *counted += 1;
                None
            }
            Some((start, counted)) => {
                let since = std::mem::take(counted);
                *start = now;
                Some(since)
            }
            None => {
                seen.insert(key.to_string(), (now, 0));
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_per_window_carries_the_count_of_the_calls_it_stood_for() {
        let once = OncePerWindow::new(Duration::from_secs(60));
        let t = Instant::now();
        assert_eq!(once.hit_at("eve", t), Some(0));
        for s in 1..=40 {
            assert_eq!(once.hit_at("eve", t + Duration::from_secs(s)), None);
        }
        assert_eq!(once.hit_at("bob", t + Duration::from_secs(5)), Some(0));
        assert_eq!(once.hit_at("eve", t + Duration::from_secs(61)), Some(40));
        assert_eq!(once.hit_at("eve", t + Duration::from_secs(62)), None);
    }
}
