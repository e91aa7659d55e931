//! Live updates for a log table on its first page: server-sent events from
//! `/api/live`, each a batch of new matching events, newest first.

use crate::model::{Cursor, Event, EventFilter};
use leptos::prelude::*;

/// The stream URL for a filter, carrying only what is newer than `top`.
pub fn live_href(filter: &EventFilter, top: Option<&Cursor>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filter.to_params() {
        query.append_pair(&name, &value);
    }
    if let Some(top) = top {
        query.append_pair("after", &top.to_string());
    }
    format!("/api/live?{}", query.finish())
}

/// New events as they arrive; while paused they wait in `held`.
#[derive(Clone, Copy)]
pub struct LiveRows {
    pub shown: RwSignal<Vec<Event>>,
    pub held: RwSignal<Vec<Event>>,
    pub paused: RwSignal<bool>,
    /// False once the server ended the stream (e.g. signed out).
    pub connected: RwSignal<bool>,
}

impl LiveRows {
    pub fn new() -> Self {
        LiveRows {
            shown: RwSignal::new(Vec::new()),
            held: RwSignal::new(Vec::new()),
            paused: RwSignal::new(false),
            connected: RwSignal::new(true),
        }
    }

    /// Newest first, above what is there; events already here (a stream
    /// that reconnected) are not shown twice.
    pub fn arrive(self, mut batch: Vec<Event>) {
        let known = |id: &str| {
            let has = |list: &Vec<Event>| list.iter().any(|e| e.id == id);
            self.shown.with_untracked(has) || self.held.with_untracked(has)
        };
        batch.retain(|e| !known(&e.id));
        let target = if self.paused.get_untracked() {
            self.held
        } else {
            self.shown
        };
        target.update(|list| {
            batch.append(list);
            *list = batch;
        });
    }

    pub fn toggle(self) {
        let resume = self.paused.get_untracked();
        self.paused.set(!resume);
        if resume {
            let waiting = self.held.try_update(std::mem::take).unwrap_or_default();
            self.arrive(waiting);
        }
    }

    /// Opens the stream once the page runs in the browser; it closes when
    /// the table goes away (another filter, another page).
    pub fn follow(self, url: String) {
        #[cfg(feature = "hydrate")]
        Effect::new(move |_| subscribe(&url, self));
        #[cfg(not(feature = "hydrate"))]
        let _ = url;
    }
}

impl Default for LiveRows {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "hydrate")]
fn subscribe(url: &str, rows: LiveRows) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Ok(source) = web_sys::EventSource::new(url) else {
        rows.connected.set(false);
        return;
    };
    let on_events =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |msg: web_sys::MessageEvent| {
            let batch = msg
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<Vec<Event>>(&text).ok());
            if let Some(batch) = batch {
                rows.arrive(batch);
            }
        });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        rows.connected.set(false);
    });
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        rows.connected.set(true);
    });
    let _ = source.add_event_listener_with_callback("events", on_events.as_ref().unchecked_ref());
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    // The callbacks live exactly as long as the stream.
    let kept = StoredValue::new_local((source, on_events, on_error, on_open));
    on_cleanup(move || kept.with_value(|(source, ..)| source.close()));
}
