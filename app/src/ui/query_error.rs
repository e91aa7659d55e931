//! A malformed query, with the offending part marked where it stands.

use crate::model::QueryError;
use leptos::prelude::*;

#[component]
pub fn QueryErrorNotice(text: String, err: QueryError) -> impl IntoView {
    let chars: Vec<char> = text.chars().collect();
    let at = err.at.min(chars.len());
    let end = (at + err.len).min(chars.len());
    let part = |r: std::ops::Range<usize>| chars[r].iter().collect::<String>();
    let (before, bad, after) = (part(0..at), part(at..end), part(end..chars.len()));
    view! {
        <div class="query-error" role="alert">
            <code>{before}<mark>{bad}</mark>{after}</code>
            <p>{err.to_string()}</p>
        </div>
    }
}
