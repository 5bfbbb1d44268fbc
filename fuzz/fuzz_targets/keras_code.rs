//! Pasted Keras code: `parse_keras` and `check_keras` never panic, agree with each other, and a
//! model they accept passes `convlab_fuzz::check_spec` (its export parses back to the same model).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = std::str::from_utf8(data) {
        convlab_fuzz::check_keras_code(source);
    }
});
