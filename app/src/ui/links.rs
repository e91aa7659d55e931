//! Where one click from an event goes: the log narrowed to one of its
//! values, or the history of its resource. All time, within its tenant.

use super::log_href;
use crate::model::{Event, EventFilter, Field, QuickRange};

/// The log showing every event of `event`'s tenant whose `field` is `value`.
pub fn filter_href(event: &Event, field: Field, value: &str) -> String {
    let mut filter = EventFilter {
        tenant: Some(event.tenant.clone()),
        range: Some(QuickRange::All),
        ..Default::default()
    };
    // Values come from a stored event; one that does not fit a filter
    // (it cannot happen for ingested data) links to the tenant's log.
    let _ = filter.is.set(field, value);
    log_href(&filter, None)
}

/// The log showing a tenant's events with this tag.
pub fn tag_href(tenant: &str, tag: &str) -> String {
    let mut filter = EventFilter {
        tenant: Some(tenant.to_string()),
        range: Some(QuickRange::All),
        ..Default::default()
    };
    filter.is.tag = Some(tag.to_string());
    log_href(&filter, None)
}

/// The history page of a resource of a tenant.
pub fn history_href(tenant: &str, kind: &str, id: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("tenant", tenant)
        .append_pair("type", kind)
        .append_pair("id", id)
        .finish();
    format!("/resource?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_link_encodes_ids_with_any_characters() {
        assert_eq!(
            history_href("acme", "license", "KEY/1 2&3"),
            "/resource?tenant=acme&type=license&id=KEY%2F1+2%263"
        );
    }
}
