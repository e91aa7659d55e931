//! The filter in the URL: any query string reads as a filter or a
//! refusal, and a filter reads back the same from its own parameters.
#![no_main]

use app::model::EventFilter;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let params: HashMap<String, String> = form_urlencoded::parse(data).into_owned().collect();
    if let Ok(filter) = EventFilter::from_params(|name| params.get(name).cloned()) {
        let again: HashMap<String, String> = filter.to_params().into_iter().collect();
        assert_eq!(
            EventFilter::from_params(|name| again.get(name).cloned()).ok(),
            Some(filter)
        );
    }
});
