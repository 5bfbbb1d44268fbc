//! Finite-difference gradient checking, shared by every layer's tests.
//!
//! The scalar checked is `L = Σ output · R` for a fixed random `R`, so `dL/dOutput = R`. Every
//! input element and every trainable parameter element (or an evenly spread sample of them, for
//! large tensors) is nudged by ±ε and the central difference compared with the analytic gradient.

use super::{Layer, Mode};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// How many elements of each tensor to check at most.
const MAX_CHECKED: usize = 300;

fn forward_loss(layer: &mut dyn Layer, input: &Tensor, weights: &Tensor, mode: Mode) -> f64 {
    let mut output = Tensor::zeros(ndarray::IxDyn(&[0]));
    layer.forward(input, &mut output, mode, &mut Rng::new(99));
    output
        .iter()
        .zip(weights.iter())
        .map(|(&y, &r)| y as f64 * r as f64)
        .sum()
}

fn sampled_indices(len: usize) -> Vec<usize> {
    let step = len.div_ceil(MAX_CHECKED).max(1);
    (0..len).step_by(step).collect()
}

fn assert_close(what: &str, index: usize, numeric: f64, analytic: f32, tolerance: f64) {
    let error = (numeric - analytic as f64).abs();
    let scale = 1.0f64.max(numeric.abs()).max(analytic.abs() as f64);
    assert!(
        error <= tolerance * scale,
        "{what}[{index}]: numeric {numeric:.6} vs analytic {analytic:.6} (error {error:.2e})"
    );
}

/// Checks `layer`'s input and parameter gradients at `input` in `mode` (dropout uses the same mask
/// on every pass because each forward starts from the same seed). `tolerance` is relative to
/// `max(1, |gradient|)`; 1e-2 suits f32 with ε = 1e-2 on smooth layers.
pub(crate) fn check_gradients(layer: &mut dyn Layer, input: &Tensor, mode: Mode, tolerance: f64) {
    let mut output = Tensor::zeros(ndarray::IxDyn(&[0]));
    layer.forward(input, &mut output, mode, &mut Rng::new(99));
    let mut rng = Rng::new(12345);
    let weights = output.mapv(|_| rng.uniform_range(-1.0, 1.0));
    let mut grad_output = weights.clone();
    let mut grad_input = Tensor::zeros(input.raw_dim());
    layer.backward(input, &output, &mut grad_output, Some(&mut grad_input));
    assert_eq!(
        grad_input.shape(),
        input.shape(),
        "grad_input must have the input's shape"
    );

    let eps = 1e-2f32;
    for index in sampled_indices(input.len()) {
        let mut nudged = input.to_owned();
        let flat = nudged.as_slice_mut().expect("standard layout input");
        let original = flat[index];
        flat[index] = original + eps;
        let plus = forward_loss(layer, &nudged, &weights, mode);
        nudged.as_slice_mut().unwrap()[index] = original - eps;
        let minus = forward_loss(layer, &nudged, &weights, mode);
        let numeric = (plus - minus) / (2.0 * eps as f64);
        assert_close(
            "input",
            index,
            numeric,
            grad_input.as_slice().unwrap()[index],
            tolerance,
        );
    }

    for p in 0..layer.params().len() {
        if !layer.params()[p].trainable {
            continue;
        }
        let name = layer.params()[p].name;
        let analytic = layer.params()[p].grad.clone();
        assert_eq!(
            analytic.shape(),
            layer.params()[p].value.shape(),
            "{name}: grad shape"
        );
        for index in sampled_indices(analytic.len()) {
            let original = layer.params()[p].value.as_slice().unwrap()[index];
            layer.params_mut()[p].value.as_slice_mut().unwrap()[index] = original + eps;
            let plus = forward_loss(layer, input, &weights, mode);
            layer.params_mut()[p].value.as_slice_mut().unwrap()[index] = original - eps;
            let minus = forward_loss(layer, input, &weights, mode);
            layer.params_mut()[p].value.as_slice_mut().unwrap()[index] = original;
            let numeric = (plus - minus) / (2.0 * eps as f64);
            assert_close(
                name,
                index,
                numeric,
                analytic.as_slice().unwrap()[index],
                tolerance,
            );
        }
    }
}

/// A deterministic input of `shape` with values spread in [-1, 1) and no ties (so max pooling
/// and ReLU kinks are not hit by the ±ε nudges).
pub(crate) fn test_input(shape: &[usize], seed: u64) -> Tensor {
    let mut rng = Rng::new(seed);
    let len: usize = shape.iter().product();
    let mut values: Vec<f32> = (0..len)
        .map(|i| -1.0 + 2.0 * (i as f32 + 0.5) / len as f32)
        .collect();
    rng.shuffle(&mut values);
    Tensor::from_shape_vec(ndarray::IxDyn(shape), values).unwrap()
}
