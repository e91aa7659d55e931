//! `GET /api/live?<filter>&after=<cursor>`: server-sent events carrying the
//! events that match a filter and arrived above the cursor, for a log page
//! showing its first page. The caller's scope and permission are those of
//! their session, which is checked again on every poll: signing out or being
//! deactivated ends the stream.

use super::AppState;
use app::{
    auth::RequestAuth,
    model::{Cursor, EventFilter, PageRequest, Permission},
    store::SessionStage,
};
use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{
        sse::{Event as SseEvent, KeepAlive, Sse},
        IntoResponse, Response,
    },
    Extension,
};
use futures::stream::{self, Stream};
use std::{collections::HashMap, convert::Infallible, time::Duration};

/// How often the store is asked for new events: well inside the 2 s a new
/// event may take to appear.
const POLL: Duration = Duration::from_millis(700);
/// At most this many new events per message.
const BATCH: u32 = 100;

pub async fn live_events(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (Some(member), Some(token_hash)) = (auth.member().cloned(), auth.token_hash.clone()) else {
        return (StatusCode::UNAUTHORIZED, "sign in to continue").into_response();
    };
    if member.password_temporary() {
        return (StatusCode::FORBIDDEN, "choose your own password first").into_response();
    }
    if !member.can(Permission::ViewLogs) {
        return (StatusCode::FORBIDDEN, "your account may not read the log").into_response();
    }
    let filter = match EventFilter::from_params(|k| params.get(k).cloned()) {
        Ok(filter) => filter,
        Err(err) => return (StatusCode::BAD_REQUEST, err.to_string()).into_response(),
    };
    // A browser reconnecting after a dropped stream names the last message
    // it got, which is further along than the page's own cursor.
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let after = match resumed
        .or_else(|| params.get("after").cloned())
        .map(|c| c.parse::<Cursor>())
    {
        Some(Ok(cursor)) => Some(cursor),
        Some(Err(err)) => return (StatusCode::BAD_REQUEST, err).into_response(),
        None => None,
    };
    let Some(slot) = state
        .limiters
        .live_streams
        .take(&format!("account:{}", member.account_id()))
    else {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many live views are open for your account; close one",
        )
            .into_response();
    };
    let feed = Feed {
        _slot: slot,
        state,
        token_hash,
        account: member.account_id(),
        filter,
        after,
    };
    Sse::new(feed.into_stream())
        .keep_alive(KeepAlive::default())
        .into_response()
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
                newer_than: Some(cursor.clone()),
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
