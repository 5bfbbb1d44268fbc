//! `Activation`: a layer that only applies an activation function.

use serde::{Deserialize, Serialize};

use super::{Layer, LayerConfig, ParamCount};
use crate::activation::Activation;
use crate::error::FieldError;
use crate::rng::Rng;

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

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct ActivationLayer;
impl ActivationLayer {
    /// (stub)
    pub fn new(_activation: Activation, _input_shape: &[usize]) -> Self {
        unimplemented!()
    }
}
impl Layer for ActivationLayer {
    fn class_name(&self) -> &'static str {
        unimplemented!()
    }
    fn output_shape(&self) -> &[usize] {
        unimplemented!()
    }
    fn forward(
        &mut self,
        _input: &crate::tensor::Tensor,
        _output: &mut crate::tensor::Tensor,
        _mode: super::Mode,
        _rng: &mut Rng,
    ) {
        unimplemented!()
    }
    fn backward(
        &mut self,
        _input: &crate::tensor::Tensor,
        _output: &crate::tensor::Tensor,
        _grad_output: &mut crate::tensor::Tensor,
        _grad_input: Option<&mut crate::tensor::Tensor>,
    ) {
        unimplemented!()
    }
}
