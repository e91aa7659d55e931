//! The span of time Logbook reasons about. Every instant a visitor or a
//! sender names is brought inside it before any arithmetic, so a filter from
//! the year -100000 can neither overflow a subtraction nor ask a chart for
//! millions of bars.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

/// No filter bound, bucket or stored event lies before this.
pub const EARLIEST: DateTime<Utc> = DateTime::UNIX_EPOCH;

/// Nor after this (2200-01-01T00:00:00Z).
pub const LATEST: DateTime<Utc> = match DateTime::from_timestamp(7_258_118_400, 0) {
    Some(t) => t,
    None => DateTime::UNIX_EPOCH,
};

/// `t` moved inside `[EARLIEST, LATEST]`.
pub fn clamp(t: DateTime<Utc>) -> DateTime<Utc> {
    t.clamp(EARLIEST, LATEST)
}

/// Serde's side of [`clamp`]: a filter read from a request body (a server
/// function's payload, a saved view) is bounded like one read from the URL.
pub fn deserialize_clamped<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    Ok(Option::<DateTime<Utc>>::deserialize(deserializer)?.map(clamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_outside_the_window_are_moved_to_its_edges() {
        let ancient = Utc.with_ymd_and_hms(-100_000, 1, 1, 0, 0, 0).unwrap();
        let far = Utc.with_ymd_and_hms(262_142, 12, 31, 0, 0, 0).unwrap();
        assert_eq!(clamp(ancient), EARLIEST);
        assert_eq!(clamp(far), LATEST);
        assert_eq!(LATEST, Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).unwrap());
        let now = Utc::now();
        assert_eq!(clamp(now), now);
    }
}
