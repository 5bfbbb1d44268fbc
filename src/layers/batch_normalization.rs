//! `BatchNormalization` over the last (channel) axis, with Keras's momentum 0.99 and epsilon 1e-3.
//!
//! Training normalises with the batch's mean and (biased) variance and updates the moving
//! statistics: `moving = moving · momentum + batch · (1 − momentum)`. Inference uses the moving
//! statistics. gamma and beta are trainable; moving_mean and moving_variance are counted as
//! non-trainable parameters, as in `model.summary()`.

use serde::{Deserialize, Serialize};

use super::keras_args::yes;
use super::{Layer, LayerConfig, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;

/// Keras `BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchNormalizationConfig {
    /// Moving-average momentum.
    #[serde(default = "default_momentum")]
    pub momentum: f32,
    /// Added to the variance before the square root.
    #[serde(default = "default_epsilon")]
    pub epsilon: f32,
    /// Whether to learn beta (an offset).
    #[serde(default = "yes")]
    pub center: bool,
    /// Whether to learn gamma (a scale).
    #[serde(default = "yes")]
    pub scale: bool,
}

fn default_momentum() -> f32 {
    0.99
}

fn default_epsilon() -> f32 {
    1e-3
}

impl Default for BatchNormalizationConfig {
    fn default() -> Self {
        BatchNormalizationConfig {
            momentum: 0.99,
            epsilon: 1e-3,
            center: true,
            scale: true,
        }
    }
}

impl LayerConfig for BatchNormalizationConfig {
    fn class_name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        if !(0.0..=1.0).contains(&self.momentum) {
            return Err(FieldError::new(
                "momentum",
                format!("{} is outside [0, 1]; Keras uses 0.99", self.momentum),
            ));
        }
        if !(self.epsilon > 0.0 && self.epsilon.is_finite()) {
            return Err(FieldError::new(
                "epsilon",
                format!(
                    "{} must be a small positive number; Keras uses 0.001",
                    self.epsilon
                ),
            ));
        }
        Ok(input_shape.to_vec())
    }

    fn param_count(&self, input_shape: &[usize]) -> ParamCount {
        let channels = *input_shape.last().unwrap_or(&1);
        let trainable = channels * (self.center as usize + self.scale as usize);
        ParamCount {
            trainable,
            non_trainable: 2 * channels,
        }
    }

    fn build(&self, input_shape: &[usize], _rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(BatchNormalization::new(self.clone(), input_shape))
    }
}

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct BatchNormalization;
impl BatchNormalization {
    /// (stub)
    pub fn new(_config: BatchNormalizationConfig, _input_shape: &[usize]) -> Self {
        unimplemented!()
    }
}
impl Layer for BatchNormalization {
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
