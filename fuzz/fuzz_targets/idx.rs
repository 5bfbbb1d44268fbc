//! An idx file, plain or gzipped (MNIST, Fashion-MNIST, or whatever a learner drops on the page):
//! `parse_idx` never panics or over-allocates, what it accepts has as many bytes as its
//! dimensions say and reads back the same when written out plain or gzipped, and turning it into
//! a dataset (as images or as labels) is `Ok` or `Err`.
#![no_main]

use std::io::Write;

use convlab::data::dataset::Dataset;
use convlab::data::idx::{parse_idx, IdxArray};
use flate2::write::GzEncoder;
use flate2::Compression;
use libfuzzer_sys::fuzz_target;

/// `array` as idx bytes.
fn idx_bytes(array: &IdxArray) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, array.dims.len() as u8];
    for &dim in &array.dims {
        bytes.extend(u32::try_from(dim).expect("idx sizes are u32").to_be_bytes());
    }
    bytes.extend(&array.data);
    bytes
}

fuzz_target!(|data: &[u8]| {
    let Ok(array) = parse_idx(data) else {
        return;
    };
    let product = array
        .dims
        .iter()
        .try_fold(1usize, |product, &dim| product.checked_mul(dim));
    assert_eq!(product, Some(array.data.len()), "dims {:?}", array.dims);

    let plain = idx_bytes(&array);
    assert_eq!(parse_idx(&plain).as_ref(), Ok(&array), "plain round trip");
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(&plain).expect("writing to a Vec");
    let gzipped = encoder.finish().expect("writing to a Vec");
    assert_eq!(parse_idx(&gzipped).as_ref(), Ok(&array), "gzip round trip");

    // The other file of the pair, synthesised: as many labels (or 1×1 images) as `array` has
    // entries, when that is a size this harness can allocate.
    let count = array.dims[0];
    if count > 1 << 16 {
        return;
    }
    let _ = Dataset::from_idx(
        IdxArray {
            dims: vec![count, 1, 1],
            data: vec![0; count],
        },
        array.clone(),
    );
    let _ = Dataset::from_idx(
        array,
        IdxArray {
            dims: vec![count],
            data: vec![0; count],
        },
    );
});
