//! Latency figures the runs print.

use std::time::Duration;

/// The `q` quantile (0.5, 0.99) of `timings` in milliseconds; 0 when empty.
pub fn quantile_ms(timings: &[Duration], q: f64) -> f64 {
    if timings.is_empty() {
        return 0.0;
    }
    let mut sorted = timings.to_vec();
    sorted.sort_unstable();
    let at = ((sorted.len() as f64 * q) as usize).min(sorted.len() - 1);
    sorted[at].as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quantile_is_read_from_the_sorted_timings_and_is_zero_for_none() {
        let ms = |n: u64| Duration::from_millis(n);
        let timings: Vec<Duration> = (1..=100).rev().map(ms).collect();
        assert_eq!(quantile_ms(&timings, 0.99), 100.0);
        assert_eq!(quantile_ms(&timings, 0.50), 51.0);
        assert_eq!(quantile_ms(&[], 0.99), 0.0);
    }
}
