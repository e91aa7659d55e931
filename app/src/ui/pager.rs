//! Newer / older links: keyset cursors carried in the URL with the filter.

use crate::model::{Cursor, EventFilter};
use leptos::prelude::*;

/// The log URL for a filter, optionally at a page cursor.
pub fn log_href(filter: &EventFilter, cursor: Option<(&str, &Cursor)>) -> String {
    page_href("/", filter, cursor)
}

/// `base` (a page taking the log's filter) with the filter and cursor in its query.
pub fn page_href(base: &str, filter: &EventFilter, cursor: Option<(&str, &Cursor)>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in filter.to_params() {
        query.append_pair(&name, &value);
    }
    if let Some((name, cursor)) = cursor {
        query.append_pair(name, &cursor.to_string());
    }
    let query = query.finish();
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{query}")
    }
}

#[component]
pub fn Pager(filter: EventFilter, older: Option<Cursor>, newer: Option<Cursor>) -> impl IntoView {
    let newest = newer.as_ref().map(|_| log_href(&filter, None));
    let newer = newer.map(|c| log_href(&filter, Some(("newer", &c))));
    let older = older.map(|c| log_href(&filter, Some(("older", &c))));
    view! {
        <nav class="pager" aria-label="Pages">
            {newest.map(|href| view! { <a href=href class="newest">"⇤ Newest"</a> })}
            {match newer {
                Some(href) => view! { <a href=href rel="prev" class="newer">"← Newer"</a> }.into_any(),
                None => view! { <span class="disabled">"← Newer"</span> }.into_any(),
            }}
            {match older {
                Some(href) => view! { <a href=href rel="next" class="older">"Older →"</a> }.into_any(),
                None => view! { <span class="disabled">"Older →"</span> }.into_any(),
            }}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_link_keeps_the_filter_and_encodes_values() {
        let filter = EventFilter::parse_query("actor:a+b@x.io action:license.*").unwrap();
        let cursor = Cursor {
            occurred_us: 42,
            tenant_id: 2,
            seq: 7,
        };
        let href = log_href(&filter, Some(("older", &cursor)));
        assert_eq!(href, "/?actor=a%2Bb%40x.io&action=license.*&older=42.2.7");
    }

    #[test]
    fn an_empty_filter_links_to_the_bare_log() {
        assert_eq!(log_href(&EventFilter::default(), None), "/");
    }
}
