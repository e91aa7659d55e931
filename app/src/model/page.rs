//! Keyset pagination over `(occurred_at, tenant_id, seq)`: stable while new
//! events arrive. Ties on time are broken by the chain position, not the
//! event's text id: every index ends with those small integers, where a
//! 26-character id in each of them cost about a fifth of the database.

use super::event::Event;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Rows per page in the log table.
pub const PAGE_SIZE: u32 = 50;

/// A position in the newest-first order: the `(occurred_at, tenant_id, seq)`
/// of one row, compared in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cursor {
    /// Microseconds since the Unix epoch, as stored.
    pub occurred_us: i64,
    pub tenant_id: i64,
    /// The row's position in its tenant's chain.
    pub seq: i64,
}

impl Cursor {
    pub fn of(event: &Event) -> Self {
        Cursor {
            occurred_us: event.occurred_at.timestamp_micros(),
            tenant_id: event.tenant_id,
            seq: event.seq,
        }
    }

    pub fn occurred_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.occurred_us)
    }
}

/// Written into URLs as `<micros>.<tenant>.<seq>`.
impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.occurred_us, self.tenant_id, self.seq)
    }
}

impl FromStr for Cursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let refused = || format!("'{s}' is not a page cursor");
        let mut parts = s.split('.');
        let mut next = || -> Result<i64, String> {
            let part = parts.next().ok_or_else(refused)?;
            // Digits only: `i64::from_str` would also take a sign.
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refused());
            }
            part.parse().map_err(|_| refused())
        };
        let cursor = Cursor {
            occurred_us: next()?,
            tenant_id: next()?,
            seq: next()?,
        };
        match parts.next() {
            Some(_) => Err(refused()),
            None => Ok(cursor),
        }
    }
}

/// Which page to read. With neither cursor, the newest page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Rows strictly older than this cursor ("next").
    pub older_than: Option<Cursor>,
    /// Rows strictly newer than this cursor ("previous").
    pub newer_than: Option<Cursor>,
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest {
            limit,
            ..Default::default()
        }
    }
}

/// One page of events, newest first, with cursors to its neighbours.
/// There is deliberately no total count: counting millions of rows is not free.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<Event>,
    /// Present when older rows exist.
    pub older: Option<Cursor>,
    /// Present when newer rows exist.
    pub newer: Option<Cursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_a_round_trip_through_text() {
        let cursor = Cursor {
            occurred_us: 1_767_225_600_000_000,
            tenant_id: 3,
            seq: 120_001,
        };
        assert_eq!(cursor.to_string().parse::<Cursor>(), Ok(cursor));
    }

    #[test]
    fn a_cursor_that_is_not_three_unsigned_numbers_is_refused() {
        for text in [
            "12.3.ab'--",
            "nodot",
            "x.1.2",
            "12.3",
            "12.3.4.5",
            "12.-3.4",
            "12..4",
            "12.3.99999999999999999999",
            "1767225600000000.01JABCDEF",
        ] {
            assert!(text.parse::<Cursor>().is_err(), "{text} was taken");
        }
    }

    #[test]
    fn cursors_order_by_time_then_tenant_then_chain_position() {
        let at = |occurred_us, tenant_id, seq| Cursor {
            occurred_us,
            tenant_id,
            seq,
        };
        assert!(at(5, 1, 9) < at(6, 1, 1));
        assert!(at(5, 1, 9) < at(5, 2, 1));
        assert!(at(5, 2, 1) < at(5, 2, 2));
    }
}
