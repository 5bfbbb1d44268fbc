//! `GlobalAveragePooling2D`: the mean of each channel over height and width, `[h, w, c] → [c]`.

use serde::{Deserialize, Serialize};

use super::{expect_image, Layer, LayerConfig, Mode, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;
use crate::tensor::{ensure_shape, Tensor};

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

/// A built `GlobalAveragePooling2D`.
pub struct GlobalAveragePooling2d {
    image: [usize; 3],
    output_shape: Vec<usize>,
}

impl GlobalAveragePooling2d {
    /// Builds the layer for a per-sample `input_shape` `[h, w, c]`.
    ///
    /// # Panics
    /// If `input_shape` is not an image (the config's `output_shape` reports that first).
    pub fn new(input_shape: &[usize]) -> Self {
        let image = expect_image(input_shape).unwrap_or_else(|error| {
            panic!("GlobalAveragePooling2D cannot be built: {}", error.message)
        });
        GlobalAveragePooling2d {
            image,
            output_shape: vec![image[2]],
        }
    }
}

impl Layer for GlobalAveragePooling2d {
    fn class_name(&self) -> &'static str {
        "GlobalAveragePooling2D"
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// `output[n, c] = mean over (y, x) of input[n, y, x, c]`; input `[b, h, w, c]`, output `[b, c]`.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, _mode: Mode, _rng: &mut Rng) {
        let [height, width, channels] = self.image;
        let batch = input.shape()[0];
        let input = input.as_standard_layout();
        let input = input.as_slice().expect("standard layout");
        ensure_shape(output, &[batch, channels]);
        let output = output.as_slice_mut().expect("standard layout");
        let scale = 1.0 / (height * width) as f32;
        for (sample, mean) in input
            .chunks_exact(height * width * channels)
            .zip(output.chunks_exact_mut(channels))
        {
            mean.fill(0.0);
            for pixel in sample.chunks_exact(channels) {
                for (sum, &value) in mean.iter_mut().zip(pixel) {
                    *sum += value;
                }
            }
            mean.iter_mut().for_each(|sum| *sum *= scale);
        }
    }

    /// Every pixel of a channel gets that channel's output gradient divided by `h·w`.
    fn backward(
        &mut self,
        input: &Tensor,
        _output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        let Some(grad_input) = grad_input else {
            return;
        };
        let [height, width, channels] = self.image;
        let scale = 1.0 / (height * width) as f32;
        let grad_output = grad_output.as_standard_layout();
        let grad_output = grad_output.as_slice().expect("standard layout");
        ensure_shape(grad_input, input.shape());
        let grad_input = grad_input.as_slice_mut().expect("standard layout");
        for (sample, grad) in grad_input
            .chunks_exact_mut(height * width * channels)
            .zip(grad_output.chunks_exact(channels))
        {
            for pixel in sample.chunks_exact_mut(channels) {
                for (pixel_grad, &grad) in pixel.iter_mut().zip(grad) {
                    *pixel_grad = grad * scale;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::IxDyn;

    #[test]
    fn shape_keeps_only_the_channels() {
        // [7, 7, 64] → [64]
        let config = GlobalAveragePooling2dConfig::default();
        assert_eq!(config.output_shape(&[7, 7, 64]).unwrap(), vec![64]);
        assert!(config.output_shape(&[784]).is_err());
        let layer = GlobalAveragePooling2d::new(&[7, 7, 64]);
        assert_eq!(layer.output_shape(), &[64]);
        assert_eq!(layer.class_name(), "GlobalAveragePooling2D");
    }

    #[test]
    fn averages_each_channel_of_each_sample() {
        // Sample 0: channel 0 = 1, 2, 3, 4 → 2.5; channel 1 = 10, 20, 30, 40 → 25.
        // Sample 1: channel 0 = −1 × 4 → −1; channel 1 = 0, 0, 0, 8 → 2.
        let input = Tensor::from_shape_vec(
            IxDyn(&[2, 2, 2, 2]),
            vec![
                1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0, //
                -1.0, 0.0, -1.0, 0.0, -1.0, 0.0, -1.0, 8.0,
            ],
        )
        .unwrap();
        let mut layer = GlobalAveragePooling2d::new(&[2, 2, 2]);
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        assert_eq!(output.shape(), &[2, 2]);
        assert_eq!(
            output.iter().copied().collect::<Vec<_>>(),
            vec![2.5, 25.0, -1.0, 2.0]
        );

        let mut grad_output =
            Tensor::from_shape_vec(IxDyn(&[2, 2]), vec![4.0, 8.0, 0.0, -4.0]).unwrap();
        let mut grad_input = Tensor::zeros(IxDyn(&[0]));
        layer.backward(&input, &output, &mut grad_output, Some(&mut grad_input));
        // Each of the 2·2 pixels gets a quarter of its channel's gradient.
        assert_eq!(
            grad_input.iter().copied().collect::<Vec<_>>(),
            vec![
                1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 0.0, -1.0, 0.0, -1.0, 0.0, -1.0, 0.0, -1.0
            ]
        );
    }

    #[test]
    fn gradients_global_average_pooling() {
        let mut layer = GlobalAveragePooling2d::new(&[3, 4, 5]);
        check_gradients(&mut layer, &test_input(&[2, 3, 4, 5], 1), Mode::Train, 1e-2);
    }

    #[test]
    fn forward_twice_with_different_batch_sizes() {
        let mut layer = GlobalAveragePooling2d::new(&[3, 3, 2]);
        let batch = test_input(&[3, 3, 3, 2], 2);
        let mut big = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&batch, &mut big, Mode::Infer, &mut Rng::new(0));
        let first = batch
            .slice(ndarray::s![0..1, .., .., ..])
            .to_owned()
            .into_dyn();
        let mut small = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&first, &mut small, Mode::Infer, &mut Rng::new(0));
        assert_eq!(small, big.slice(ndarray::s![0..1, ..]).into_dyn());
    }
}
