//! What the analytics page asks for and what it shows: counts for the log's
//! own typed filter, bucketed in the viewer's time zone.

use super::{event::vocabulary, filter::EventFilter};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

vocabulary!(
    /// How long one bar of the activity chart lasts.
    Bucket, "bucket", {
        Hour => "hour",
        Day => "day",
        Week => "week",
        Month => "month",
        Year => "year",
    }
);

vocabulary!(
    /// What the activity bars are split by.
    StackBy, "stack", {
        Outcome => "outcome",
        Category => "category",
    }
);

/// The page's request: the log's filter plus how to draw it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsRequest {
    pub filter: EventFilter,
    /// `None`: chosen from the range.
    pub bucket: Option<Bucket>,
    /// `None`: by outcome.
    pub stack: Option<StackBy>,
    /// IANA zone name of the viewer (`Europe/Berlin`); UTC when absent or unknown.
    pub tz: Option<String>,
}

impl AnalyticsRequest {
    /// From URL parameters: the filter's own, plus `bucket`, `stack` and `tz`.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let filter = EventFilter::from_params(&get).map_err(|e| e.to_string())?;
        let parse = |name: &str| get(name).filter(|v| !v.is_empty());
        Ok(AnalyticsRequest {
            filter,
            bucket: parse("bucket")
                .map(|v| v.parse())
                .transpose()
                .map_err(|e: super::ParseEnumError| e.to_string())?,
            stack: parse("stack")
                .map(|v| v.parse())
                .transpose()
                .map_err(|e: super::ParseEnumError| e.to_string())?,
            tz: parse("tz"),
        })
    }

    /// The URL of this request on the analytics page.
    pub fn href(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.filter.to_params() {
            query.append_pair(&name, &value);
        }
        if let Some(bucket) = self.bucket {
            query.append_pair("bucket", bucket.as_str());
        }
        if let Some(stack) = self.stack {
            query.append_pair("stack", stack.as_str());
        }
        if let Some(tz) = &self.tz {
            query.append_pair("tz", tz);
        }
        let query = query.finish();
        if query.is_empty() {
            "/analytics".into()
        } else {
            format!("/analytics?{query}")
        }
    }
}

/// One headline number and how it moved against the previous period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    pub label: String,
    pub value: String,
    /// "+12% vs previous 30 days", or `None` when there is nothing to compare.
    pub change: Option<String>,
    /// Whether the move is good news, bad news or neither (for its colour).
    pub trend: Trend,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trend {
    Up,
    Down,
    Flat,
}

/// A chart as the server drew it, with the same numbers as a table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    /// Stable id for tests and anchors (`activity`, `event-types`, …).
    pub id: String,
    pub title: String,
    /// What the numbers count, for the axis and the table.
    pub unit: String,
    /// The SVG, with every bar or slice a link to its events.
    pub svg: String,
    pub table: DataTable,
}

/// The chart's numbers: a header row and rows whose first cell may link.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DataTable {
    pub columns: Vec<String>,
    pub rows: Vec<DataRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataRow {
    pub cells: Vec<String>,
    /// The log filtered to the row's events.
    pub href: Option<String>,
}

/// A ranked list (most active actors, failing addresses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankedRow {
    pub label: String,
    /// Secondary text: the actor's id or email, the tenant.
    pub detail: String,
    pub count: i64,
    pub last_at: Option<DateTime<Utc>>,
    pub href: String,
}

/// Everything the analytics page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsView {
    /// The request as answered (bucket and zone filled in).
    pub request: AnalyticsRequest,
    pub bucket: Bucket,
    pub stack: StackBy,
    pub tz: String,
    /// The range counted: whole hours.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Set when the counts came from the events, not the rollups, and why.
    pub source_note: Option<String>,
    pub headlines: Vec<Headline>,
    pub charts: Vec<ChartView>,
    pub top_actors: Vec<RankedRow>,
    pub failing_ips: Vec<RankedRow>,
    pub failing_accounts: Vec<RankedRow>,
}

/// The log page's small activity chart for its filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sparkline {
    pub svg: String,
    pub total: i64,
    pub bucket: Bucket,
    /// The analytics page for the same filter.
    pub analytics_href: String,
}
