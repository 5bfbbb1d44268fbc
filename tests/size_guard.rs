//! The size guard's estimate against hand counts, and its refusals naming the layer responsible.

use convlab::optimizers::OptimizerConfig;
use convlab::presets::lesson_cnn;
use convlab::size_guard::{SizeEstimate, DEFAULT_FLOPS_PER_SECOND, MEMORY_BUDGET_BYTES};
use convlab::spec::{Architecture, LayerSpec, ModelSpec};
use convlab::ConvlabError;
use serde_json::json;

fn adam() -> OptimizerConfig {
    OptimizerConfig::from_name("adam").unwrap()
}

#[test]
fn lesson_cnn_activations_match_a_hand_count() {
    let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
    let estimate = SizeEstimate::for_training(&architecture, 32, &adam());
    // conv2d 28·28·32 = 25,088; max_pooling2d 14·14·32 = 6,272; conv2d_1 12·12·64 = 9,216;
    // max_pooling2d_1 6·6·64 = 2,304; flatten 2,304; dense 10.
    let per_layer: Vec<usize> = estimate
        .layers
        .iter()
        .map(|l| l.activations_per_image)
        .collect();
    assert_eq!(per_layer, [25_088, 6_272, 9_216, 2_304, 2_304, 10]);
    assert_eq!(estimate.activations_per_image(), 45_194);
    // im2col patches: 28·28 positions × 3·3·1 and 12·12 × 3·3·32; pooling winners.
    let scratch: Vec<usize> = estimate
        .layers
        .iter()
        .map(|l| l.scratch_per_image)
        .collect();
    assert_eq!(scratch, [7_056, 6_272, 41_472, 2_304, 0, 0]);
}

#[test]
fn lesson_cnn_flops_and_bytes_match_a_hand_count() {
    let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
    let estimate = SizeEstimate::for_training(&architecture, 32, &adam());
    // Products, 2 operations per multiply-add: conv2d 2·784·9·32 = 451,584;
    // conv2d_1 2·144·288·64 = 5,308,416; dense 2·2304·10 = 46,080.
    let conv1 = &estimate.layers[0];
    assert_eq!(conv1.forward_flops, 451_584 + 25_088, "product + bias/ReLU");
    // The first layer computes no input gradient: backward = one product.
    assert_eq!(conv1.training_flops, 2 * (451_584 + 25_088));
    assert_eq!(estimate.layers[2].training_flops, 3 * 5_308_416 + 2 * 9_216);
    // 41,866 weights × (value, gradient, guard copy, Adam's m and v) × 4 bytes.
    assert_eq!(estimate.weight_bytes, 41_866 * 5 * 4);
    // Forward buffers at the evaluation batch (256), gradients at the batch (32), and the input
    // batch with targets and probabilities.
    let activations =
        256 * (45_194 + 7_056 + 6_272 + 41_472 + 2_304) + 32 * 45_194 + 256 * (784 + 2 * 10);
    assert_eq!(estimate.activation_bytes, 4 * activations as u64);
    let seconds = estimate.seconds_per_epoch(10_000, 0, DEFAULT_FLOPS_PER_SECOND);
    assert!(
        (15.0..20.0).contains(&seconds),
        "{seconds} s per 10,000 images"
    );
}

#[test]
fn the_lesson_cnn_at_batch_size_1024_is_refused_naming_its_largest_layer() {
    let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
    assert!(SizeEstimate::for_training(&architecture, 512, &adam())
        .check_budget()
        .is_ok());
    let estimate = SizeEstimate::for_training(&architecture, 1024, &adam());
    assert!(estimate.total_bytes > MEMORY_BUDGET_BYTES);
    let error = estimate.check_budget().unwrap_err();
    assert_eq!(error.code(), "size.budget");
    // conv2d_1 per image: 9,216 outputs, their 9,216 gradients and 41,472 patch values, against
    // conv2d's 25,088 + 25,088 + 7,056.
    let ConvlabError::Size {
        index,
        name,
        message,
        ..
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!((*index, name.as_str()), (3, "conv2d_1"));
    assert!(
        message.starts_with("training at batch size 1024 needs ≈ "),
        "{message}"
    );
    assert!(message.contains("more than the 512 MB budget"), "{message}");
    assert!(message.contains("lower the batch size"), "{message}");
}

#[test]
fn a_model_too_big_to_build_is_refused_by_the_spec_check() {
    let spec = ModelSpec::sequential(vec![
        LayerSpec::new("Flatten", json!({"batch_input_shape": [null, 28, 28, 1]})),
        LayerSpec::new("Dense", json!({"units": 90_000, "activation": "relu"})),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ]);
    // 784·90,000 + 90,000 + 900,010 = 71,550,010 weights, each with its gradient: 546 MB.
    let error = Architecture::from_spec(&spec).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Too big: layer 2 'dense' (Dense): building this model needs ≈ 635 MB (weights 546 MB, activations 89.5 MB), more than the 512 MB budget of a browser tab; this layer alone needs ≈ 627 MB: use fewer filters/units, or add pooling or strides before this layer"
    );
}
