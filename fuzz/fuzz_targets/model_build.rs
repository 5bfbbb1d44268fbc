//! Model specs generated from a structure (`convlab_fuzz::arbitrary_spec`) rather than JSON text,
//! so that most inputs get past parsing: shape inference, building, the round trips and a
//! training step of every accepted small model never panic.
#![no_main]

use convlab_fuzz::arbitrary_spec::GeneratedModel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|model: GeneratedModel| {
    convlab_fuzz::check_spec(&model.to_spec());
});
