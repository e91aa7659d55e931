//! Export formats and how an exported file is named.

use super::{event::vocabulary, EventFilter};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

vocabulary!(
    /// A file format the log exports to.
    ExportFormat, "export format", {
        Csv => "csv",
        Xlsx => "xlsx",
        Json => "json",
        Ndjson => "ndjson",
    }
);

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Json => "application/json",
            ExportFormat::Ndjson => "application/x-ndjson",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Xlsx => "Excel",
            ExportFormat::Json => "JSON",
            ExportFormat::Ndjson => "NDJSON",
        }
    }
}

/// Where an export stands, for the progress line in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportState {
    Running,
    Done,
    Cancelled,
    Failed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportStatus {
    pub rows: u64,
    pub state: ExportState,
}

/// `logbook-<tenant>-<filter>-<from>_<to>.<ext>`: what, whose and when, in
/// characters every file system accepts.
pub fn export_file_name(filter: &EventFilter, format: ExportFormat) -> String {
    let mut parts = vec!["logbook".to_string()];
    parts.push(
        filter
            .tenant
            .clone()
            .unwrap_or_else(|| "all-tenants".into()),
    );
    for (name, value) in filter.to_params() {
        if !matches!(name.as_str(), "tenant" | "from" | "to" | "range") {
            parts.push(format!("{name}-{value}"));
        }
    }
    let day = |t: Option<chrono::DateTime<chrono::Utc>>, none: &str| {
        t.map_or(none.to_string(), |t| t.format("%Y-%m-%d").to_string())
    };
    let (from, to) = filter.bounds(chrono::Utc::now());
    parts.push(format!("{}_{}", day(from, "start"), day(to, "now")));
    let stem: String = parts
        .join("-")
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            '*' => 'x',
            _ => '_',
        })
        .take(150)
        .collect();
    format!("{stem}.{}", format.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_file_is_named_after_tenant_filter_and_range() {
        let filter = EventFilter::parse_query(
            "tenant:keyforge actor:alice@shop.io action:license.* \
             occurred:2026-10-01..2026-10-31",
        )
        .unwrap();
        assert_eq!(
            filter.to,
            Some(chrono::Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(
            export_file_name(&filter, ExportFormat::Csv),
            "logbook-keyforge-actor-alice_shop.io-action-license.x-2026-10-01_2026-11-01.csv"
        );
        assert_eq!(
            export_file_name(&EventFilter::default(), ExportFormat::Xlsx),
            "logbook-all-tenants-start_now.xlsx"
        );
    }
}
