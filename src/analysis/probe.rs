//! Runs a model spec with weights the caller chooses: the engine's side of the convolution
//! animator, whose hand-computed `Σ x·w + b` grid must equal what `Conv2D` (or a pooling layer)
//! really computes for the same numbers.

use ndarray::IxDyn;

use crate::error::{ConvlabError, Result};
use crate::layers::Mode;
use crate::model::Sequential;
use crate::rng::Rng;
use crate::spec::ModelSpec;
use crate::tensor::{batch_shape, Tensor};

/// The output of `spec` (inference mode) for `input`, a batch of `batch` samples of the spec's
/// input shape, with every weight taken from `weights`: the tensors of `model.weights` in Keras
/// order (`kernel` `[kh, kw, in, out]` then `bias`, layer after layer), flattened and
/// concatenated. A final softmax is applied as written (nothing is fused).
pub fn forward_with_weights(
    spec: &ModelSpec,
    weights: &[f32],
    input: &[f32],
    batch: usize,
) -> Result<Tensor> {
    let mut model = Sequential::from_spec(spec, 0)?;
    let shapes: Vec<Vec<usize>> = model
        .weights()
        .iter()
        .map(|(_, tensor)| tensor.shape().to_vec())
        .collect();
    let needed: usize = shapes
        .iter()
        .map(|shape| shape.iter().product::<usize>())
        .sum();
    if weights.len() != needed {
        return Err(ConvlabError::Shape(format!(
            "the model has {needed} weight values but {} were given",
            weights.len()
        )));
    }
    let mut rest = weights;
    let tensors = shapes
        .iter()
        .map(|shape| {
            let (values, tail) = rest.split_at(shape.iter().product());
            rest = tail;
            Tensor::from_shape_vec(IxDyn(shape), values.to_vec()).expect("sizes counted above")
        })
        .collect();
    model.set_weights(tensors)?;
    let input_shape = batch_shape(batch, &model.architecture().input_shape);
    if input.len() != input_shape.iter().product::<usize>() {
        return Err(ConvlabError::Shape(format!(
            "the input has {} values but {batch} sample(s) of {:?} need {}",
            input.len(),
            model.architecture().input_shape,
            input_shape.iter().product::<usize>()
        )));
    }
    let input =
        Tensor::from_shape_vec(IxDyn(&input_shape), input.to_vec()).expect("size checked above");
    Ok(model.forward(&input, Mode::Infer, &mut Rng::new(0)).clone())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::spec::LayerSpec;

    fn conv(kernel: usize, stride: usize, padding: &str, size: usize) -> ModelSpec {
        ModelSpec::sequential(vec![LayerSpec::new(
            "Conv2D",
            json!({"filters": 1, "kernel_size": kernel, "strides": stride, "padding": padding,
                   "batch_input_shape": [null, size, size, 1]}),
        )])
    }

    #[test]
    fn conv_with_a_ones_kernel_sums_each_window_and_adds_the_bias() {
        // 3×3 input 1..9, 2×2 ones kernel, bias 10, valid: (3 − 2 + 2·0)/1 + 1 = 2
        let input: Vec<f32> = (1..=9).map(|v| v as f32).collect();
        let output = forward_with_weights(
            &conv(2, 1, "valid", 3),
            &[1.0, 1.0, 1.0, 1.0, 10.0],
            &input,
            1,
        )
        .unwrap();
        assert_eq!(output.shape(), &[1, 2, 2, 1]);
        assert_eq!(
            output.iter().copied().collect::<Vec<_>>(),
            [22.0, 26.0, 34.0, 38.0]
        );
    }

    #[test]
    fn uneven_same_padding_goes_bottom_right() {
        // 4×4 input, 3×3 ones kernel, stride 2, same: pads (0, 1); out = ceil(4/2) = 2.
        // The first window covers rows 0–2, cols 0–2 (no top/left padding).
        let input: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let ones = [1.0; 9];
        let mut weights = ones.to_vec();
        weights.push(0.0);
        let output = forward_with_weights(&conv(3, 2, "same", 4), &weights, &input, 1).unwrap();
        let first: f32 = [0, 1, 2, 4, 5, 6, 8, 9, 10].iter().map(|&i| i as f32).sum();
        assert_eq!(output[[0, 0, 0, 0]], first);
        // The last window covers rows 2–3 and cols 2–3 plus one padded row and column.
        assert_eq!(output[[0, 1, 1, 0]], (10 + 11 + 14 + 15) as f32);
    }

    #[test]
    fn wrong_weight_count_is_a_readable_error() {
        let error =
            forward_with_weights(&conv(2, 1, "valid", 3), &[1.0], &[0.0; 9], 1).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Shape: the model has 5 weight values but 1 were given"
        );
    }
}
