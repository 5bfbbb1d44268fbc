//! `Dense`: `output = activation(input · kernel + bias)` with kernel `[in, out]`.

use serde::{Deserialize, Serialize};

use super::keras_args::yes;
use super::{Layer, LayerConfig, ParamCount};
use crate::activation::Activation;
use crate::error::FieldError;
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use crate::rng::Rng;

/// Keras `Dense(units, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
/// bias_initializer='zeros', kernel_regularizer=None)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DenseConfig {
    /// Number of outputs.
    pub units: usize,
    /// Applied to the output.
    #[serde(default)]
    pub activation: Activation,
    /// Whether to add a bias per unit.
    #[serde(default = "yes")]
    pub use_bias: bool,
    /// Kernel initializer (Keras default `glorot_uniform`).
    #[serde(default = "glorot_uniform")]
    pub kernel_initializer: Initializer,
    /// Bias initializer (Keras default `zeros`).
    #[serde(default = "zeros")]
    pub bias_initializer: Initializer,
    /// L1/L2 penalty on the kernel.
    #[serde(default)]
    pub kernel_regularizer: Regularizer,
}

fn glorot_uniform() -> Initializer {
    Initializer::GlorotUniform
}

fn zeros() -> Initializer {
    Initializer::Zeros
}

impl DenseConfig {
    /// A Dense config with Keras defaults and the given activation.
    pub fn new(units: usize, activation: Activation) -> Self {
        DenseConfig {
            units,
            activation,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            bias_initializer: Initializer::Zeros,
            kernel_regularizer: Regularizer::default(),
        }
    }
}

impl LayerConfig for DenseConfig {
    fn class_name(&self) -> &'static str {
        "Dense"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        if self.units == 0 {
            return Err(FieldError::new(
                "units",
                "must be at least 1, e.g. 128 (or 10 for the output layer)",
            ));
        }
        match input_shape {
            [_] => Ok(vec![self.units]),
            _ => Err(FieldError::new(
                "input_shape",
                format!(
                    "Dense expects a flat vector but gets {}; add a Flatten (or GlobalAveragePooling2D) layer before it",
                    crate::summary::format_shape(input_shape)
                ),
            )),
        }
    }

    fn param_count(&self, input_shape: &[usize]) -> ParamCount {
        let bias = if self.use_bias { self.units } else { 0 };
        ParamCount {
            trainable: input_shape[0] * self.units + bias,
            non_trainable: 0,
        }
    }

    fn build(&self, input_shape: &[usize], rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Dense::new(self.clone(), input_shape, rng))
    }
}

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct Dense;
impl Dense {
    /// (stub)
    pub fn new(_config: DenseConfig, _input_shape: &[usize], _rng: &mut Rng) -> Self {
        unimplemented!()
    }
}
impl Layer for Dense {
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
