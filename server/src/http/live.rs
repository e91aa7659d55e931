//! `GET /api/live?<filter>&after=<cursor>`: server-sent events carrying the
//! events that match a filter and arrived above the cursor, for a log page
//! showing its first page. The caller's scope and permission are those of
//! their session, which is checked again on every poll: signing out or being
//! deactivated ends the stream.

use super::{
    access::{Require, SignedIn, ViewLogs},
    ApiError, AppState,
};
use app::{
    model::{Cursor, EventFilter, PageRequest, Permission},
    store::SessionStage,
};
use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::{
        sse::{Event as SseEvent, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use futures::stream::{self, Stream};
use std::{collections::HashMap, convert::Infallible, time::Duration};

/// How often the store is asked for new events: well inside the 2 s a new
/// event may take to appear.
const POLL: Duration = Duration::from_millis(700);
/// At most this many new events per message.
const BATCH: u32 = 100;

pub(super) async fn live_events(
    State(state): State<AppState>,
    Require { signed_in, .. }: Require<ViewLogs>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let SignedIn {
        member, token_hash, ..
    } = signed_in;
    let filter = EventFilter::from_params(|k| params.get(k).cloned())
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    // A browser reconnecting after a dropped stream names the last message
    // it got, which is further along than the page's own cursor.
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let after = resumed
        .or_else(|| params.get("after").cloned())
        .map(|c| c.parse::<Cursor>())
        .transpose()
        .map_err(ApiError::bad_request)?;
    let slot = state
        .limiters
        .live_streams
        .take(&format!("account:{}", member.account_id()))
        .ok_or_else(|| {
            ApiError::too_many_requests("too many live views are open for your account; close one")
        })?;
    let feed = Feed {
        _slot: slot,
        state,
        token_hash,
        account: member.account_id(),
        filter,
        after,
    };
    Ok(Sse::new(feed.into_stream())
        .keep_alive(KeepAlive::default())
        .into_response())
}

struct Feed {
    /// Held while the stream is open.
    _slot: app::guard::Slot,
    state: AppState,
    token_hash: String,
    account: i64,
    filter: EventFilter,
    after: Option<Cursor>,
}

impl Feed {
    fn into_stream(self) -> impl Stream<Item = Result<SseEvent, Infallible>> {
        stream::unfold(self, |mut feed| async move {
            loop {
                tokio::time::sleep(POLL).await;
                match feed.poll().await {
                    Ok(Some(event)) => return Some((Ok(event), feed)),
                    Ok(None) => continue,
                    // The session ended or the store failed: end the stream;
                    // the page shows it stopped and a reload starts again.
                    Err(()) => return None,
                }
            }
        })
    }

    /// The next message, if anything new arrived; `Err` ends the stream.
    async fn poll(&mut self) -> Result<Option<SseEvent>, ()> {
        let store = &self.state.store;
        let now = chrono::Utc::now().timestamp_micros();
        let session = store.session(&self.token_hash, now).await.map_err(|err| {
            tracing::warn!(error = %err, "live feed: session lookup failed");
        })?;
        let member = match session {
            Some(s) if s.stage == SessionStage::Full && s.member.account_id() == self.account => {
                s.member
            }
            _ => return Err(()),
        };
        if member.password_temporary() || !member.can(Permission::ViewLogs) {
            return Err(());
        }
        let page = match &self.after {
            Some(cursor) => PageRequest {
                older_than: None,
                newer_than: Some(*cursor),
                limit: BATCH,
            },
            None => PageRequest::first(BATCH),
        };
        let mut events = store
            .fetch_events(&member.scope(), &self.filter, &page)
            .await
            .map_err(|err| tracing::warn!(error = %err, "live feed: read failed"))?;
        if events.is_empty() {
            return Ok(None);
        }
        events.truncate(BATCH as usize);
        if self.after.is_some() {
            // Above a cursor the store reads upwards; the page wants newest first.
            events.reverse();
        }
        // Without one (the table was empty) everything found is new.
        self.after = events.first().map(Cursor::of);
        let data = serde_json::to_string(&events).map_err(|_| ())?;
        let id = self
            .after
            .as_ref()
            .map(Cursor::to_string)
            .unwrap_or_default();
        Ok(Some(SseEvent::default().event("events").id(id).data(data)))
    }
}
