//! `Flatten`: `[h, w, c] → [h·w·c]` in row-major (NHWC) order, as Keras flattens.

use serde::{Deserialize, Serialize};

use super::{Layer, LayerConfig, Mode, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;
use crate::tensor::{ensure_batch_shape, Tensor};

/// Keras `Flatten()`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlattenConfig {}

impl LayerConfig for FlattenConfig {
    fn class_name(&self) -> &'static str {
        "Flatten"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        Ok(vec![input_shape.iter().product()])
    }

    fn param_count(&self, _input_shape: &[usize]) -> ParamCount {
        ParamCount::default()
    }

    fn build(&self, input_shape: &[usize], _rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Flatten::new(input_shape))
    }
}

/// A built `Flatten` layer: a row-major copy, so `[h, w, c]` becomes index `(i·w + j)·c + k`,
/// the order Keras (and a Dense kernel trained there) expects.
pub struct Flatten {
    input_shape: Vec<usize>,
    output_shape: Vec<usize>,
}

impl Flatten {
    /// Builds the layer for per-sample `input_shape` (`[h, w, c]`).
    pub fn new(input_shape: &[usize]) -> Self {
        Flatten {
            input_shape: input_shape.to_vec(),
            output_shape: vec![input_shape.iter().product()],
        }
    }
}

/// Copies `source` into `target` (already shaped) element by element in row-major order: one
/// slice copy when both are in standard layout, as engine tensors are.
fn copy_row_major(source: &Tensor, target: &mut Tensor) {
    match (source.as_slice(), target.as_slice_mut()) {
        (Some(source), Some(target)) => target.copy_from_slice(source),
        _ => target
            .iter_mut()
            .zip(source.iter())
            .for_each(|(t, &s)| *t = s),
    }
}

impl Layer for Flatten {
    fn class_name(&self) -> &'static str {
        "Flatten"
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// # Shapes
    /// input `[batch, h, w, c]` → output `[batch, h·w·c]`.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, _mode: Mode, _rng: &mut Rng) {
        ensure_batch_shape(output, input.shape()[0], &self.output_shape);
        copy_row_major(input, output);
    }

    /// Reshapes the gradient back to `[batch, h, w, c]`.
    fn backward(
        &mut self,
        _input: &Tensor,
        _output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        if let Some(grad_input) = grad_input {
            ensure_batch_shape(grad_input, grad_output.shape()[0], &self.input_shape);
            copy_row_major(grad_output, grad_input);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::IxDyn;

    #[test]
    fn flattens_nhwc_in_keras_order() {
        let mut layer = Flatten::new(&[2, 2, 3]);
        assert_eq!(layer.output_shape(), &[12]);
        // Value = 100·h + 10·w + c, so the flat order is readable.
        let input = Tensor::from_shape_fn(IxDyn(&[1, 2, 2, 3]), |i| {
            (100 * i[1] + 10 * i[2] + i[3]) as f32
        });
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        assert_eq!(output.shape(), &[1, 12]);
        assert_eq!(
            output.as_slice().unwrap(),
            &[0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 100.0, 101.0, 102.0, 110.0, 111.0, 112.0]
        );
    }

    #[test]
    fn backward_restores_the_image_shape() {
        let mut layer = Flatten::new(&[3, 2, 2]);
        check_gradients(&mut layer, &test_input(&[2, 3, 2, 2], 5), Mode::Train, 1e-3);
    }
}
