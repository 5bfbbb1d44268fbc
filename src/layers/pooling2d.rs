//! `MaxPooling2D` and `AveragePooling2D`: one window loop, two reductions.
//!
//! With `padding='same'`, padded cells never win a max and are not counted in an average
//! (TensorFlow's behaviour).

use serde::{Deserialize, Serialize};

use super::keras_args::{optional_pair, pair, two_two};
use super::{expect_image, window_output_size, Layer, LayerConfig, ParamCount};
use crate::error::FieldError;
use crate::padding::{OutputSize, Padding};
use crate::rng::Rng;

/// Which reduction a pooling layer applies to its window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PoolKind {
    /// `MaxPooling2D`.
    #[default]
    Max,
    /// `AveragePooling2D`.
    Average,
}

/// Keras `MaxPooling2D` / `AveragePooling2D(pool_size=(2, 2), strides=None, padding='valid')`;
/// `strides=None` means "the pool size".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pooling2dConfig {
    /// Which pooling (set from the class name, not from the config JSON).
    #[serde(skip)]
    pub kind: PoolKind,
    /// Window `(height, width)`; `2` means `(2, 2)`.
    #[serde(default = "two_two", deserialize_with = "pair")]
    pub pool_size: [usize; 2],
    /// Step of the window; `None` means `pool_size`.
    #[serde(default, deserialize_with = "optional_pair")]
    pub strides: Option<[usize; 2]>,
    /// `valid` or `same`.
    #[serde(default)]
    pub padding: Padding,
}

impl Pooling2dConfig {
    /// A pooling config with Keras defaults.
    pub fn new(kind: PoolKind, pool_size: [usize; 2]) -> Self {
        Pooling2dConfig {
            kind,
            pool_size,
            strides: None,
            padding: Padding::Valid,
        }
    }

    /// The effective strides (`pool_size` when `strides` is `None`).
    pub fn effective_strides(&self) -> [usize; 2] {
        self.strides.unwrap_or(self.pool_size)
    }

    /// The height and width arithmetic of the window sliding over `input_shape`.
    fn arithmetic(&self, input_shape: &[usize]) -> Result<[OutputSize; 2], FieldError> {
        let image = expect_image(input_shape)?;
        window_output_size(
            image,
            self.pool_size,
            self.effective_strides(),
            self.padding,
            "pool_size",
        )
    }
}

impl LayerConfig for Pooling2dConfig {
    fn class_name(&self) -> &'static str {
        match self.kind {
            PoolKind::Max => "MaxPooling2D",
            PoolKind::Average => "AveragePooling2D",
        }
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        let [height, width] = self.arithmetic(input_shape)?;
        Ok(vec![height.output, width.output, input_shape[2]])
    }

    fn param_count(&self, _input_shape: &[usize]) -> ParamCount {
        ParamCount::default()
    }

    fn output_size(&self, input_shape: &[usize]) -> Option<[OutputSize; 2]> {
        self.arithmetic(input_shape).ok()
    }

    fn build(&self, input_shape: &[usize], _rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Pooling2d::new(self.clone(), input_shape))
    }
}

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct Pooling2d;
impl Pooling2d {
    /// (stub)
    pub fn new(_config: Pooling2dConfig, _input_shape: &[usize]) -> Self {
        unimplemented!()
    }
}
impl Layer for Pooling2d {
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
