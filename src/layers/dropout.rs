//! `Dropout`: inverted dropout. In training each value is zeroed with probability `rate` and the
//! survivors are scaled by `1 / (1 − rate)`; at inference it is the identity.

use serde::{Deserialize, Serialize};

use super::{Layer, LayerConfig, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;

/// Keras `Dropout(rate)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DropoutConfig {
    /// Fraction of inputs to drop, in `[0, 1)`.
    pub rate: f32,
}

impl LayerConfig for DropoutConfig {
    fn class_name(&self) -> &'static str {
        "Dropout"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        if !(0.0..1.0).contains(&self.rate) {
            return Err(FieldError::new(
                "rate",
                format!(
                    "{} is outside [0, 1); use a fraction such as 0.2 or 0.5",
                    self.rate
                ),
            ));
        }
        Ok(input_shape.to_vec())
    }

    fn param_count(&self, _input_shape: &[usize]) -> ParamCount {
        ParamCount::default()
    }

    fn build(&self, input_shape: &[usize], _rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Dropout::new(self.clone(), input_shape))
    }
}

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct Dropout;
impl Dropout {
    /// (stub)
    pub fn new(_config: DropoutConfig, _input_shape: &[usize]) -> Self {
        unimplemented!()
    }
}
impl Layer for Dropout {
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
