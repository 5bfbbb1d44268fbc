//! A model spec as JSON text (what the page's builder, the URL hash and a pasted `model.json`
//! give the engine): `ModelSpec::from_json` never panics, and what it accepts passes
//! `convlab_fuzz::check_spec` (round trips, then a build and a training step when small).
#![no_main]

use convlab::spec::ModelSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(spec) = ModelSpec::from_json(text) {
        convlab_fuzz::check_spec(&spec);
    }
});
