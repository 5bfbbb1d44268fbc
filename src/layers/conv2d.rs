//! `Conv2D`: a 2-D convolution (cross-correlation, as in Keras) over NHWC images.

use serde::{Deserialize, Serialize};

use super::keras_args::{one_one, pair, yes};
use super::{expect_image, window_output_size, Layer, LayerConfig, ParamCount};
use crate::activation::Activation;
use crate::error::FieldError;
use crate::initializer::Initializer;
use crate::padding::{OutputSize, Padding};
use crate::regularizer::Regularizer;
use crate::rng::Rng;

/// Keras `Conv2D(filters, kernel_size, strides=(1, 1), padding='valid', activation=None,
/// use_bias=True, kernel_initializer='glorot_uniform', bias_initializer='zeros',
/// kernel_regularizer=None)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conv2dConfig {
    /// Number of output channels.
    pub filters: usize,
    /// Kernel `(height, width)`; `3` means `(3, 3)`.
    #[serde(deserialize_with = "pair")]
    pub kernel_size: [usize; 2],
    /// Step `(height, width)` of the kernel.
    #[serde(default = "one_one", deserialize_with = "pair")]
    pub strides: [usize; 2],
    /// `valid` or `same`.
    #[serde(default)]
    pub padding: Padding,
    /// Applied to the output.
    #[serde(default)]
    pub activation: Activation,
    /// Whether to add a bias per filter.
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

impl Conv2dConfig {
    /// The height and width arithmetic of the kernel sliding over `input_shape`.
    fn arithmetic(&self, input_shape: &[usize]) -> Result<[OutputSize; 2], FieldError> {
        let image = expect_image(input_shape)?;
        window_output_size(
            image,
            self.kernel_size,
            self.strides,
            self.padding,
            "kernel_size",
        )
    }
}

impl LayerConfig for Conv2dConfig {
    fn class_name(&self) -> &'static str {
        "Conv2D"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        if self.filters == 0 {
            return Err(FieldError::new("filters", "must be at least 1, e.g. 32"));
        }
        let [height, width] = self.arithmetic(input_shape)?;
        Ok(vec![height.output, width.output, self.filters])
    }

    fn param_count(&self, input_shape: &[usize]) -> ParamCount {
        let channels = input_shape[2];
        let kernel = self.kernel_size[0] * self.kernel_size[1] * channels * self.filters;
        let bias = if self.use_bias { self.filters } else { 0 };
        ParamCount {
            trainable: kernel + bias,
            non_trainable: 0,
        }
    }

    fn output_size(&self, input_shape: &[usize]) -> Option<[OutputSize; 2]> {
        self.arithmetic(input_shape).ok()
    }

    fn build(&self, input_shape: &[usize], rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Conv2d::new(self.clone(), input_shape, rng))
    }
}

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct Conv2d;
impl Conv2d {
    /// (stub)
    pub fn new(_config: Conv2dConfig, _input_shape: &[usize], _rng: &mut Rng) -> Self {
        unimplemented!()
    }
}
impl Layer for Conv2d {
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
