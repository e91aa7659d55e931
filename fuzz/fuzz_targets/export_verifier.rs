//! The offline export verifier: any file is vouched for or refused with a
//! reason, never a panic. (Forging a file that passes would need the key.)
#![no_main]

use app::store::{PublicKey, Signer};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static KEY: LazyLock<PublicKey> = LazyLock::new(|| Signer::generate().0.public_key());

fuzz_target!(|data: &[u8]| {
    let _ = app::integrity::verify_file(std::io::BufReader::new(data), &KEY);
});
