//! Keyset pagination over `(occurred_at, id)`: stable while new events arrive.

use super::event::Event;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Rows per page in the log table.
pub const PAGE_SIZE: u32 = 50;

/// A position in the newest-first order: the `(occurred_at, id)` of one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Microseconds since the Unix epoch, as stored.
    pub occurred_us: i64,
    pub id: String,
}

impl Cursor {
    pub fn of(event: &Event) -> Self {
        Cursor {
            occurred_us: event.occurred_at.timestamp_micros(),
            id: event.id.clone(),
        }
    }

    pub fn occurred_at(&self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_micros(self.occurred_us)
    }
}

/// Written into URLs as `<micros>.<id>`.
impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.occurred_us, self.id)
    }
}

impl FromStr for Cursor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (us, id) = s
            .split_once('.')
            .ok_or_else(|| format!("'{s}' is not a page cursor"))?;
        let occurred_us = us
            .parse()
            .map_err(|_| format!("'{s}' is not a page cursor"))?;
        let valid_id =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_id {
            return Err(format!("'{s}' is not a page cursor"));
        }
        Ok(Cursor {
            occurred_us,
            id: id.to_string(),
        })
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
            id: "01JABCDEF".into(),
        };
        assert_eq!(cursor.to_string().parse::<Cursor>(), Ok(cursor));
    }

    #[test]
    fn a_cursor_with_punctuation_in_its_id_is_refused() {
        assert!("12.ab'--".parse::<Cursor>().is_err());
        assert!("nodot".parse::<Cursor>().is_err());
        assert!("x.ab".parse::<Cursor>().is_err());
    }
}
