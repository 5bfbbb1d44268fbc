//! `Flatten`: `[h, w, c] → [h·w·c]` in row-major (NHWC) order, as Keras flattens.

use serde::{Deserialize, Serialize};

use super::{Layer, LayerConfig, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;

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

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct Flatten;
impl Flatten {
    /// (stub)
    pub fn new(_input_shape: &[usize]) -> Self {
        unimplemented!()
    }
}
impl Layer for Flatten {
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
