//! An ingested event: any JSON body is validated (with its secrets
//! redacted) or refused with a sentence, and an accepted event hashes.
#![no_main]

use app::store::event_digest;
use libfuzzer_sys::fuzz_target;
use server::ingest::{validate, IncomingEvent, Rules};

fuzz_target!(|data: &[u8]| {
    let Ok(incoming) = serde_json::from_slice::<IncomingEvent>(data) else {
        return;
    };
    let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).expect("a fixed now");
    let id = "01JB0000000000000000000000".to_string();
    match validate(incoming, "acme", id, now, &Rules::default()) {
        Ok(event) => {
            let digest = event_digest(1, 1, now.timestamp_micros(), &event);
            assert_eq!(digest.len(), 64);
        }
        Err(reason) => assert!(!reason.is_empty()),
    }
});
