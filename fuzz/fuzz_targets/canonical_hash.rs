//! The canonical encoding the chain hashes: any JSON value encodes, and
//! its encoding reads back as a value with the same encoding.
#![no_main]

use app::store::canonical_json;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let encoded = canonical_json(&value);
    let back: Value = serde_json::from_str(&encoded).expect("the encoding is JSON");
    assert_eq!(canonical_json(&back), encoded);
});
