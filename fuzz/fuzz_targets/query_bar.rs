//! The query bar: any text parses or is refused with a reason, and what
//! parses prints as a query that parses back to the same filter.
#![no_main]

use app::model::EventFilter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(filter) = EventFilter::parse_query(text) {
        let printed = filter.to_query();
        assert_eq!(
            EventFilter::parse_query(&printed).ok(),
            Some(filter),
            "{printed:?}"
        );
    }
});
