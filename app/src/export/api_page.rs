//! The read API's pages: `{"events":[…],"next_cursor":…}`, newest first,
//! each event in the export's JSON shape, read with the log table's keyset
//! pages. A cursor carries the page's place and the time window the first
//! page pinned, so "the last 24 hours" means the same hours on page 50.

use super::cells::write_json;
use crate::{
    model::{Cursor, Event, EventFilter, PageRequest},
    store::{DbError, ExportRow, Store, TenantScope, MAX_PAGE},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};

/// Rows per page when the caller names no limit, and at most (the table's).
pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = MAX_PAGE;

/// Where the next page starts, and the window the first page pinned.
/// Opaque to callers: `v1.<micros>.<tenant>.<seq>.<from>.<to>` in base64url,
/// an empty bound meaning none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiCursor {
    pub after: Cursor,
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
}

impl ApiCursor {
    pub fn encode(&self) -> String {
        let bound = |b: Option<i64>| b.map(|v| v.to_string()).unwrap_or_default();
        let text = format!(
            "v1.{}.{}.{}",
            self.after,
            bound(self.from_us),
            bound(self.to_us)
        );
        URL_SAFE_NO_PAD.encode(text)
    }

    /// The cursor this API gave, or why the text is not one.
    pub fn decode(text: &str) -> Result<ApiCursor, String> {
        let refused = || "cursor is not one this API gave: pass next_cursor as it came".to_string();
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| refused())?;
        let text = String::from_utf8(bytes).map_err(|_| refused())?;
        let parts: Vec<&str> = text.split('.').collect();
        let ["v1", occurred, tenant, seq, from, to] = parts[..] else {
            return Err(refused());
        };
        let after: Cursor = format!("{occurred}.{tenant}.{seq}")
            .parse()
            .map_err(|_| refused())?;
        let bound = |b: &str| -> Result<Option<i64>, String> {
            match b {
                "" => Ok(None),
                b => b.parse().map(Some).map_err(|_| refused()),
            }
        };
        Ok(ApiCursor {
            after,
            from_us: bound(from)?,
            to_us: bound(to)?,
        })
    }
}

/// `filter` as one page reads it: on the first page, a quick range becomes
/// the dates it means `now`; on later pages, the cursor's dates.
pub fn windowed(
    filter: EventFilter,
    cursor: Option<&ApiCursor>,
    now: DateTime<Utc>,
) -> EventFilter {
    match cursor {
        None => filter.pinned(now),
        Some(c) => EventFilter {
            range: None,
            from: c.from_us.and_then(DateTime::from_timestamp_micros),
            to: c.to_us.and_then(DateTime::from_timestamp_micros),
            ..filter
        },
    }
}

/// One page: up to `limit` events of `filter` (already `windowed`) below
/// `cursor`, as the JSON body the API answers with. The rows come from the
/// log table's own query, so a query selects exactly what the table shows.
pub async fn read_page(
    store: &dyn Store,
    scope: &TenantScope,
    filter: &EventFilter,
    cursor: Option<&ApiCursor>,
    limit: u32,
) -> Result<Vec<u8>, DbError> {
    let request = PageRequest {
        older_than: cursor.map(|c| c.after),
        newer_than: None,
        limit,
    };
    let page = store.bare_page(scope, filter, &request).await?;
    let mut out = Vec::with_capacity(page.events.len() * 700 + 64);
    out.extend_from_slice(b"{\"events\":[");
    for (i, event) in page.events.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json(&mut out, &ExportRow::from(event));
    }
    out.extend_from_slice(b"],\"next_cursor\":");
    match page.older {
        Some(after) => {
            let next = ApiCursor {
                after,
                from_us: filter.from.map(|t| t.timestamp_micros()),
                to_us: filter.to.map(|t| t.timestamp_micros()),
            };
            out.push(b'"');
            out.extend_from_slice(next.encode().as_bytes());
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    Ok(out)
}

/// One event read whole, in the same JSON shape as a page's events.
pub fn event_json(event: &Event) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    write_json(&mut out, &ExportRow::from(event));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_it_was_written_with_or_without_bounds() {
        for (from_us, to_us) in [
            (None, None),
            (Some(1_700_000_000_000_000), None),
            (Some(1), Some(2)),
        ] {
            let cursor = ApiCursor {
                after: Cursor {
                    occurred_us: 1_767_225_600_123_456,
                    tenant_id: 7,
                    seq: 42,
                },
                from_us,
                to_us,
            };
            assert_eq!(ApiCursor::decode(&cursor.encode()), Ok(cursor));
        }
    }

    #[test]
    fn a_cursor_the_api_did_not_give_is_refused_with_what_to_do() {
        let forged = URL_SAFE_NO_PAD.encode("v1.1.-2.3..");
        for text in [
            "",
            "not base64!",
            "djE",
            forged.as_str(),
            &URL_SAFE_NO_PAD.encode("v2.1.2.3.."),
        ] {
            let err = ApiCursor::decode(text).unwrap_err();
            assert!(err.contains("next_cursor"), "{text}: {err}");
        }
    }

    #[test]
    fn later_pages_keep_the_window_the_first_page_pinned() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .to_utc();
        let filter = EventFilter::parse_query("range:24h action:login").unwrap();
        let first = windowed(filter.clone(), None, now);
        assert_eq!(first.range, None);
        assert_eq!(first.from, Some(now - chrono::Duration::hours(24)));
        let cursor = ApiCursor {
            after: Cursor {
                occurred_us: 5,
                tenant_id: 1,
                seq: 1,
            },
            from_us: first.from.map(|t| t.timestamp_micros()),
            to_us: None,
        };
        let later = windowed(filter, Some(&cursor), now + chrono::Duration::hours(3));
        assert_eq!(later, first);
    }
}
