//! `GlobalAveragePooling2D`: the mean of each channel over height and width, `[h, w, c] → [c]`.

use serde::{Deserialize, Serialize};

use super::{expect_image, Layer, LayerConfig, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;

/// Keras `GlobalAveragePooling2D()` (no arguments that convlab supports beyond the defaults).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GlobalAveragePooling2dConfig {}

impl LayerConfig for GlobalAveragePooling2dConfig {
    fn class_name(&self) -> &'static str {
        "GlobalAveragePooling2D"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        let [_, _, channels] = expect_image(input_shape)?;
        Ok(vec![channels])
    }

    fn param_count(&self, _input_shape: &[usize]) -> ParamCount {
        ParamCount::default()
    }

    fn build(&self, input_shape: &[usize], _rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(GlobalAveragePooling2d::new(input_shape))
    }
}

// SKELETON-STUB: replaced by the real layer.
/// (stub)
pub struct GlobalAveragePooling2d;
impl GlobalAveragePooling2d {
    /// (stub)
    pub fn new(_input_shape: &[usize]) -> Self {
        unimplemented!()
    }
}
impl Layer for GlobalAveragePooling2d {
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
