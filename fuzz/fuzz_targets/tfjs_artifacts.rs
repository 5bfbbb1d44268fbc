//! A TensorFlow.js model as a learner opens it: the input is `model.json`, a NUL byte, then the
//! weights file (the loader gets those bytes for every shard path). `tfjs::from_artifacts` never
//! panics, and a model it loads saves and loads back bit-identically.
#![no_main]

use convlab::tfjs::from_artifacts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (json, weights) = match data.iter().position(|&byte| byte == 0) {
        Some(nul) => (&data[..nul], &data[nul + 1..]),
        None => (data, &[][..]),
    };
    let Ok(json) = std::str::from_utf8(json) else {
        return;
    };
    if let Ok(model) = from_artifacts(json, |_| Ok(weights.to_vec()), 0) {
        convlab_fuzz::check_model(&model);
    }
});
