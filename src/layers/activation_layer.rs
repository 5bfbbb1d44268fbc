//! `Activation`: a layer that only applies an activation function.

use serde::{Deserialize, Serialize};

use super::{Layer, LayerConfig, Mode, ParamCount};
use crate::activation::Activation;
use crate::error::FieldError;
use crate::rng::Rng;
use crate::tensor::{ensure_shape, Tensor};

/// Keras `Activation(activation)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivationConfig {
    /// The function to apply.
    pub activation: Activation,
}

impl LayerConfig for ActivationConfig {
    fn class_name(&self) -> &'static str {
        "Activation"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        Ok(input_shape.to_vec())
    }

    fn param_count(&self, _input_shape: &[usize]) -> ParamCount {
        ParamCount::default()
    }

    fn build(&self, input_shape: &[usize], _rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(ActivationLayer::new(self.activation, input_shape))
    }
}

/// A built `Activation` layer.
pub struct ActivationLayer {
    activation: Activation,
    output_shape: Vec<usize>,
}

impl ActivationLayer {
    /// Builds the layer for per-sample `input_shape` (the output has the same shape).
    pub fn new(activation: Activation, input_shape: &[usize]) -> Self {
        ActivationLayer {
            activation,
            output_shape: input_shape.to_vec(),
        }
    }
}

impl Layer for ActivationLayer {
    fn class_name(&self) -> &'static str {
        "Activation"
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// `output = activation(input)`; softmax runs over the last axis.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, _mode: Mode, _rng: &mut Rng) {
        ensure_shape(output, input.shape());
        output.assign(input);
        self.activation.forward_in_place(output);
    }

    /// The activation's derivative, computed from its output.
    fn backward(
        &mut self,
        input: &Tensor,
        output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        if let Some(grad_input) = grad_input {
            self.activation.backward_in_place(output, grad_output);
            ensure_shape(grad_input, input.shape());
            grad_input.assign(grad_output);
        }
    }

    fn activation_mut(&mut self) -> Option<&mut Activation> {
        Some(&mut self.activation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::{array, IxDyn};

    #[test]
    fn applies_relu_elementwise() {
        let mut layer = ActivationLayer::new(Activation::Relu, &[3]);
        let input = array![[-1.0f32, 0.5, 2.0]].into_dyn();
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        assert_eq!(output, array![[0.0f32, 0.5, 2.0]].into_dyn());
    }

    #[test]
    fn softmax_runs_over_the_channel_axis_of_an_image() {
        let mut layer = ActivationLayer::new(Activation::Softmax, &[1, 2, 2]);
        let input = array![[[[0.0f32, 0.0], [1.0, 1.0]]]].into_dyn();
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        assert!(output.iter().all(|&p| (p - 0.5).abs() < 1e-7));
    }

    #[test]
    fn gradients_match_finite_differences_for_every_activation() {
        for activation in Activation::ALL {
            let mut layer = ActivationLayer::new(activation, &[2, 2, 3]);
            check_gradients(&mut layer, &test_input(&[2, 2, 2, 3], 3), Mode::Train, 1e-2);
        }
    }

    #[test]
    fn activation_mut_exposes_the_activation() {
        let mut layer = ActivationLayer::new(Activation::Tanh, &[4]);
        assert_eq!(layer.activation_mut(), Some(&mut Activation::Tanh));
        assert_eq!(layer.output_shape(), &[4]);
    }
}
