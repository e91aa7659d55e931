//! A timestamp shown in the reader's zone, with UTC on hover.

use chrono::{DateTime, SecondsFormat, Utc};
use leptos::prelude::*;

/// Renders UTC on the server (it cannot know the reader's zone), then
/// switches to local time once the page is hydrated in the browser.
#[component]
pub fn LocalTime(at: DateTime<Utc>) -> impl IntoView {
    let iso = at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let utc = at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let text = RwSignal::new(utc.clone());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let offset_minutes = js_sys::Date::new(&wasm_value(at)).get_timezone_offset() as i64;
        let local = at - chrono::Duration::minutes(offset_minutes);
        text.set(local.format("%Y-%m-%d %H:%M:%S").to_string());
    });
    view! { <time datetime=iso title=utc>{text}</time> }
}

#[cfg(feature = "hydrate")]
fn wasm_value(at: DateTime<Utc>) -> wasm_bindgen::JsValue {
    wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64)
}
