//! Inputs the fuzz targets (`fuzz/`, run with `cargo xtask fuzz`) found that once panicked,
//! aborted or broke a round trip, pinned here so that they stay fixed without a fuzzer.

use convlab::data::dataset::Dataset;
use convlab::data::idx::parse_idx;
use convlab::model::Sequential;
use convlab::size_guard::SizeEstimate;
use convlab::spec::{Architecture, LayerSpec, ModelSpec};
use convlab::training::{Fit, TrainingConfig};
use serde_json::json;

/// `model_build`: serde_json's default float parser could read a number back one unit in the
/// last place off, so spec → JSON → spec changed a subnormal regularizer factor.
#[test]
fn spec_json_round_trip_keeps_every_float_bit() {
    let spec = ModelSpec::sequential(vec![LayerSpec::new(
        "Dense",
        json!({"units": 1, "input_shape": [1],
               "kernel_regularizer": {"class_name": "L1L2",
                                      "config": {"l1": 4.2689156417191227e-41, "l2": 0.0}}}),
    )]);
    let json = spec.to_json();
    assert!(json.contains("4.2689156417191227e-41"), "{json}");
    assert_eq!(ModelSpec::from_json(&json).unwrap(), spec);
}

/// `model_build`: an input shape whose size overflows `usize` panicked in Flatten's shape rule
/// (and wrapped silently in release builds); it is now an error naming the limit.
#[test]
fn an_input_shape_too_large_to_count_is_an_error() {
    let spec = ModelSpec::sequential(vec![
        LayerSpec::new(
            "Flatten",
            json!({"input_shape": [3082270647u64, 3082270647u64, 3380608933u64, 17]}),
        ),
        LayerSpec::new("Dense", json!({"units": 10})),
    ]);
    assert_eq!(
        Architecture::from_spec(&spec).unwrap_err().to_string(),
        "Model: the input shape (None, 3082270647, 3082270647, 3380608933, 17) has more than the \
         100,000,000 values per image convlab can hold; MNIST images are (28, 28, 1)"
    );
}

/// Found while making the `tfjs_artifacts` seeds (and by the targets' training step): when the
/// first layer with weights is frozen, backward went on past it into layers whose gradients
/// were never computed and panicked on a shape mismatch. Now it stops there; the frozen layer
/// keeps its weights and the layer after it trains.
#[test]
fn training_with_the_first_weighted_layer_frozen() {
    let spec = ModelSpec::sequential(vec![
        LayerSpec::new("Flatten", json!({"input_shape": [4, 4, 1]})),
        LayerSpec::new(
            "Dense",
            json!({"units": 3, "activation": "tanh", "trainable": false}),
        ),
        LayerSpec::new("Dense", json!({"units": 2, "activation": "softmax"})),
    ]);
    let model = Sequential::from_spec(&spec, 1).unwrap();
    let before = model.snapshot_weights();
    let images: Vec<u8> = (0..4 * 16).map(|i| (i * 37 % 256) as u8).collect();
    let data = Dataset::new(images, vec![0, 1, 0, 1], [4, 4, 1], 2).unwrap();
    let config = TrainingConfig {
        batch_size: 2,
        ..TrainingConfig::default()
    };
    let mut fit = Fit::new(model, data, None, config).unwrap();
    fit.run(|_| true).unwrap();
    let after = fit.model().snapshot_weights();
    assert_eq!(after[..2], before[..2], "the frozen Dense layer changed");
    assert_ne!(
        after[2..],
        before[2..],
        "the trainable Dense layer did not train"
    );
}

/// Written with the `idx` target's dataset step: an idx image file of zero images declares any
/// image size (0 × 4294967295 × 4294967295 × 4294967295 is 0 bytes), and the image size
/// overflowed `usize` in `Dataset::new` (a panic natively, a wrapped size in wasm).
#[test]
fn an_idx_image_size_too_large_to_count_is_an_error() {
    let mut header = vec![0, 0, 0x08, 4, 0, 0, 0, 0];
    header.extend([0xff; 12]);
    let images = parse_idx(&header).unwrap();
    assert_eq!(
        images.dims,
        [0, u32::MAX as usize, u32::MAX as usize, u32::MAX as usize]
    );
    let labels = parse_idx(&[0, 0, 0x08, 1, 0, 0, 0, 1, 7]).unwrap();
    assert_eq!(
        Dataset::from_idx(images, labels).unwrap_err().to_string(),
        "Data: image shape 4294967295×4294967295×4294967295 is too large to count; the file's \
         header is damaged"
    );
}

/// `spec_json`: a pool window far larger than the image ('same' padding, which Keras accepts)
/// overflowed the size guard's operation count; the count now takes the window's cells inside
/// the image, the ones the layer reads.
#[test]
fn a_pool_window_larger_than_the_image_is_counted_by_the_cells_it_reads() {
    let huge = ModelSpec::from_json(
        r#"{"class_name": "Sequential", "config": {"name": "sequential", "layers": [
            {"class_name": "MaxPooling2D", "config": {"pool_size": [3333333333333333333, 3],
             "strides": [3, 2], "padding": "same", "batch_input_shape": [null, 7, 7, 1]}}]}}"#,
    )
    .unwrap();
    let architecture = Architecture::from_spec(&huge).unwrap();
    assert_eq!(architecture.output_shape(), [3, 4, 1]);
    let estimate = SizeEstimate::for_building(&architecture);
    // 12 outputs, each reading at most its 7 × 3 cells inside the image.
    assert_eq!(estimate.forward_flops, 12 * 7 * 3);
}
