//! `BatchNormalization` over the last (channel) axis, with Keras's momentum 0.99 and epsilon 1e-3.
//!
//! Training normalises with the batch's mean and (biased) variance and updates the moving
//! statistics: `moving = moving · momentum + batch · (1 − momentum)`, with the *biased* batch
//! variance for the moving variance too (Keras 3 updates it with `ops.moments`). Inference uses the
//! moving statistics. gamma and beta are trainable; moving_mean and moving_variance are counted as
//! non-trainable parameters, as in `model.summary()`.

use serde::{Deserialize, Serialize};

use super::keras_args::yes;
use super::{Layer, LayerConfig, Mode, Param, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;
use crate::tensor::{ensure_shape, Tensor};

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

/// A built `BatchNormalization` layer. Params in Keras order: `gamma` (if `scale`), `beta` (if
/// `center`), `moving_mean`, `moving_variance`.
pub struct BatchNormalization {
    config: BatchNormalizationConfig,
    output_shape: Vec<usize>,
    params: Vec<Param>,
    /// The per-channel mean the last forward normalised with (batch or moving).
    mean: Vec<f32>,
    /// The per-channel `1 / sqrt(variance + epsilon)` the last forward used.
    inv_std: Vec<f32>,
    /// Whether the last forward used batch statistics (so backward differentiates through them).
    batch_statistics: bool,
    /// The per-channel variance the last forward normalised with (batch or moving).
    variance: Vec<f32>,
    /// Per-channel `gamma · inv_std` and `beta − mean · gamma · inv_std` of the last forward.
    scale: Vec<f32>,
    shift: Vec<f32>,
    /// Per-channel sums of the batch moments (scratch, kept to avoid allocating per batch).
    moment_sums: Vec<f64>,
    /// Per-channel `Σ g` and `Σ g·x̂` of the last backward.
    grad_sum: Vec<f64>,
    grad_dot_normalized: Vec<f64>,
    /// Per-channel `Σ g / N` and `Σ g·x̂ / N` of the last backward (zeros in Infer).
    mean_grad: Vec<f32>,
    normalized_grad: Vec<f32>,
}

impl BatchNormalization {
    /// Builds the layer for per-sample `input_shape`, normalising its last axis (the channels).
    pub fn new(config: BatchNormalizationConfig, input_shape: &[usize]) -> Self {
        let channels = *input_shape.last().unwrap_or(&1);
        let filled = |value: f32| Tensor::from_elem(ndarray::IxDyn(&[channels]), value);
        let mut params = Vec::with_capacity(4);
        if config.scale {
            params.push(Param::trainable("gamma", filled(1.0)));
        }
        if config.center {
            params.push(Param::trainable("beta", filled(0.0)));
        }
        params.push(Param::non_trainable("moving_mean", filled(0.0)));
        params.push(Param::non_trainable("moving_variance", filled(1.0)));
        BatchNormalization {
            config,
            output_shape: input_shape.to_vec(),
            params,
            mean: vec![0.0; channels],
            inv_std: vec![0.0; channels],
            batch_statistics: false,
            variance: vec![0.0; channels],
            scale: vec![0.0; channels],
            shift: vec![0.0; channels],
            moment_sums: vec![0.0; channels],
            grad_sum: vec![0.0; channels],
            grad_dot_normalized: vec![0.0; channels],
            mean_grad: vec![0.0; channels],
            normalized_grad: vec![0.0; channels],
        }
    }

    fn channels(&self) -> usize {
        self.mean.len()
    }

    fn gamma_index(&self) -> Option<usize> {
        self.config.scale.then_some(0)
    }

    fn beta_index(&self) -> Option<usize> {
        self.config.center.then_some(self.config.scale as usize)
    }

    fn moving_mean_index(&self) -> usize {
        self.config.scale as usize + self.config.center as usize
    }

    /// Batch mean and biased variance per channel (`tf.nn.moments`: two passes) into `mean` and
    /// `variance`, accumulated in f64 so that large batches of images lose no precision.
    fn batch_moments(&mut self, x: &[f32]) {
        let channels = self.channels();
        let count = (x.len() / channels) as f64;
        let sums = &mut self.moment_sums;
        sums.fill(0.0);
        for row in x.chunks_exact(channels) {
            sums.iter_mut().zip(row).for_each(|(s, &v)| *s += v as f64);
        }
        for (m, s) in self.mean.iter_mut().zip(sums.iter()) {
            *m = (s / count) as f32;
        }
        sums.fill(0.0);
        for row in x.chunks_exact(channels) {
            for ((s, &v), &m) in sums.iter_mut().zip(row).zip(&self.mean) {
                let d = (v - m) as f64;
                *s += d * d;
            }
        }
        for (v, s) in self.variance.iter_mut().zip(sums.iter()) {
            *v = (s / count) as f32;
        }
    }

    /// `moving = moving · momentum + batch · (1 − momentum)` for the mean and the variance.
    fn update_moving_statistics(&mut self) {
        let momentum = self.config.momentum;
        let first = self.moving_mean_index();
        let batch_statistics = [&self.mean, &self.variance];
        for (param, batch) in self.params[first..].iter_mut().zip(batch_statistics) {
            let moving = param
                .value
                .as_slice_mut()
                .expect("parameters are in standard layout");
            for (m, &b) in moving.iter_mut().zip(batch) {
                *m = *m * momentum + b * (1.0 - momentum);
            }
        }
    }
}

/// The elements of a batch tensor, row-major (every layer writes standard-layout tensors), so
/// that the channel of element `i` is `i % channels`.
fn values(tensor: &Tensor) -> &[f32] {
    tensor.as_slice().expect("tensors are in standard layout")
}

fn values_mut(tensor: &mut Tensor) -> &mut [f32] {
    tensor
        .as_slice_mut()
        .expect("tensors are in standard layout")
}

impl Layer for BatchNormalization {
    fn class_name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// `y = gamma · (x − mean) / sqrt(variance + epsilon) + beta` per channel, computed as TF's
    /// `tf.nn.batch_normalization` does: `x · inv + (beta − mean · inv)` with
    /// `inv = gamma / sqrt(variance + epsilon)`. Train uses the batch's statistics and updates the
    /// moving ones; Infer uses the moving ones.
    ///
    /// # Shapes
    /// input `[batch, ..., channels]` (2-D after Dense, 4-D after Conv2D) → output of the same
    /// shape.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, mode: Mode, _rng: &mut Rng) {
        ensure_shape(output, input.shape());
        let x = values(input);
        self.batch_statistics = mode == Mode::Train;
        if self.batch_statistics {
            self.batch_moments(x);
            self.update_moving_statistics();
        } else {
            let first = self.moving_mean_index();
            self.mean.copy_from_slice(values(&self.params[first].value));
            self.variance
                .copy_from_slice(values(&self.params[first + 1].value));
        }
        let epsilon = self.config.epsilon;
        for (inv_std, v) in self.inv_std.iter_mut().zip(&self.variance) {
            *inv_std = 1.0 / (v + epsilon).sqrt();
        }
        let gamma = self.gamma_index().map(|i| values(&self.params[i].value));
        let beta = self.beta_index().map(|i| values(&self.params[i].value));
        for c in 0..self.mean.len() {
            self.scale[c] = gamma.map_or(1.0, |gamma| gamma[c]) * self.inv_std[c];
            self.shift[c] = beta.map_or(0.0, |beta| beta[c]) - self.mean[c] * self.scale[c];
        }
        let (scale, shift) = (&self.scale, &self.shift);
        let channels = self.channels();
        for (out_row, in_row) in values_mut(output)
            .chunks_exact_mut(channels)
            .zip(x.chunks_exact(channels))
        {
            for (((y, &v), &s), &t) in out_row.iter_mut().zip(in_row).zip(scale).zip(shift) {
                *y = v * s + t;
            }
        }
    }

    /// With `x̂ = (x − mean) · inv_std` and `N` values per channel:
    /// dgamma = Σ g·x̂, dbeta = Σ g, and dx = gamma · inv_std · (g − Σg/N − x̂ · Σ(g·x̂)/N) in
    /// Train (the mean and variance depend on x), dx = gamma · inv_std · g in Infer.
    fn backward(
        &mut self,
        input: &Tensor,
        _output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        let channels = self.channels();
        let x = values(input);
        let g = values(grad_output);
        self.grad_sum.fill(0.0);
        self.grad_dot_normalized.fill(0.0);
        for (x_row, g_row) in x.chunks_exact(channels).zip(g.chunks_exact(channels)) {
            for (c, (&v, &d)) in x_row.iter().zip(g_row).enumerate() {
                let normalized = (v - self.mean[c]) * self.inv_std[c];
                self.grad_sum[c] += d as f64;
                self.grad_dot_normalized[c] += (d * normalized) as f64;
            }
        }
        if let Some(i) = self.gamma_index() {
            let grad = values_mut(&mut self.params[i].grad);
            for (dg, &s) in grad.iter_mut().zip(&self.grad_dot_normalized) {
                *dg = s as f32;
            }
        }
        if let Some(i) = self.beta_index() {
            let grad = values_mut(&mut self.params[i].grad);
            for (db, &s) in grad.iter_mut().zip(&self.grad_sum) {
                *db = s as f32;
            }
        }
        let Some(grad_input) = grad_input else {
            return;
        };
        ensure_shape(grad_input, input.shape());
        let count = (x.len() / channels) as f64;
        // In Infer the statistics are constants: the mean terms vanish.
        if self.batch_statistics {
            for (((mean_grad, normalized_grad), s), d) in self
                .mean_grad
                .iter_mut()
                .zip(&mut self.normalized_grad)
                .zip(&self.grad_sum)
                .zip(&self.grad_dot_normalized)
            {
                *mean_grad = (s / count) as f32;
                *normalized_grad = (d / count) as f32;
            }
        } else {
            self.mean_grad.fill(0.0);
            self.normalized_grad.fill(0.0);
        }
        for ((gi_row, x_row), g_row) in values_mut(grad_input)
            .chunks_exact_mut(channels)
            .zip(x.chunks_exact(channels))
            .zip(g.chunks_exact(channels))
        {
            for (c, ((gi, &v), &d)) in gi_row.iter_mut().zip(x_row).zip(g_row).enumerate() {
                let normalized = (v - self.mean[c]) * self.inv_std[c];
                *gi =
                    self.scale[c] * (d - self.mean_grad[c] - normalized * self.normalized_grad[c]);
            }
        }
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::{array, IxDyn};

    fn run(layer: &mut BatchNormalization, input: &Tensor, mode: Mode) -> Tensor {
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(input, &mut output, mode, &mut Rng::new(0));
        output
    }

    fn assert_all_close(actual: &Tensor, expected: &Tensor, tolerance: f32) {
        assert_eq!(actual.shape(), expected.shape());
        for (a, e) in actual.iter().zip(expected) {
            assert!((a - e).abs() <= tolerance, "{actual} vs {expected}");
        }
    }

    /// 4 samples, 2 channels: channel 0 = [1, 2, 3, 4] (mean 2.5, biased variance 1.25),
    /// channel 1 = [−2, 0, 2, 4] (mean 1, biased variance 5).
    fn four_by_two() -> Tensor {
        array![[1.0f32, -2.0], [2.0, 0.0], [3.0, 2.0], [4.0, 4.0]].into_dyn()
    }

    #[test]
    fn train_step_normalises_with_batch_statistics_and_updates_moving_ones() {
        let mut layer = BatchNormalization::new(BatchNormalizationConfig::default(), &[2]);
        let output = run(&mut layer, &four_by_two(), Mode::Train);
        let (s0, s1) = (1.0 / (1.25f32 + 1e-3).sqrt(), 1.0 / (5.0f32 + 1e-3).sqrt());
        let expected = array![
            [-1.5 * s0, -3.0 * s1],
            [-0.5 * s0, -s1],
            [0.5 * s0, 1.0 * s1],
            [1.5 * s0, 3.0 * s1]
        ]
        .into_dyn();
        assert_all_close(&output, &expected, 1e-6);
        // moving_mean = 0·0.99 + mean·0.01; moving_variance = 1·0.99 + biased variance·0.01
        assert_all_close(
            &layer.params()[2].value,
            &array![0.025f32, 0.01].into_dyn(),
            1e-7,
        );
        assert_all_close(
            &layer.params()[3].value,
            &array![0.99 + 0.0125f32, 0.99 + 0.05].into_dyn(),
            1e-6,
        );
    }

    #[test]
    fn gamma_and_beta_scale_and_shift() {
        let mut layer = BatchNormalization::new(BatchNormalizationConfig::default(), &[2]);
        layer.params_mut()[0].value = array![2.0f32, -1.0].into_dyn();
        layer.params_mut()[1].value = array![0.5f32, 3.0].into_dyn();
        let output = run(&mut layer, &four_by_two(), Mode::Train);
        let s0 = 1.0 / (1.25f32 + 1e-3).sqrt();
        // sample 0, channel 0: 2·(−1.5·s0) + 0.5; channel 1 of sample 3: −1·(3·s1) + 3
        assert!((output[[0, 0]] - (-3.0 * s0 + 0.5)).abs() < 1e-6);
        let s1 = 1.0 / (5.0f32 + 1e-3).sqrt();
        assert!((output[[3, 1]] - (-3.0 * s1 + 3.0)).abs() < 1e-6);
    }

    #[test]
    fn infer_uses_the_moving_statistics() {
        let mut layer = BatchNormalization::new(BatchNormalizationConfig::default(), &[2]);
        layer.params_mut()[2].value = array![1.0f32, -1.0].into_dyn();
        layer.params_mut()[3].value = array![4.0f32, 0.25].into_dyn();
        let input = array![[3.0f32, 0.0]].into_dyn();
        let output = run(&mut layer, &input, Mode::Infer);
        let expected = array![[2.0 / (4.0f32 + 1e-3).sqrt(), 1.0 / (0.25f32 + 1e-3).sqrt()]];
        assert_all_close(&output, &expected.into_dyn(), 1e-6);
        // Infer leaves the moving statistics alone.
        assert_eq!(layer.params()[2].value, array![1.0f32, -1.0].into_dyn());
    }

    #[test]
    fn train_on_images_reduces_over_batch_height_and_width() {
        let mut layer = BatchNormalization::new(BatchNormalizationConfig::default(), &[2, 2, 3]);
        let input = test_input(&[3, 2, 2, 3], 6);
        let output = run(&mut layer, &input, Mode::Train);
        for c in 0..3 {
            let values = output.index_axis(ndarray::Axis(3), c);
            let mean = values.mean().unwrap();
            let variance = values.mapv(|v| (v - mean).powi(2)).mean().unwrap();
            assert!(mean.abs() < 1e-6, "channel {c} mean {mean}");
            // Normalised variance is var / (var + eps), just under 1.
            assert!(
                (0.98..1.0).contains(&variance),
                "channel {c} variance {variance}"
            );
        }
    }

    #[test]
    fn params_are_in_keras_order_with_keras_initial_values() {
        let layer = BatchNormalization::new(BatchNormalizationConfig::default(), &[5, 5, 4]);
        let names: Vec<_> = layer.params().iter().map(|p| p.name).collect();
        assert_eq!(names, ["gamma", "beta", "moving_mean", "moving_variance"]);
        let trainable: Vec<_> = layer.params().iter().map(|p| p.trainable).collect();
        assert_eq!(trainable, [true, true, false, false]);
        let initial: Vec<f32> = layer.params().iter().map(|p| p.value[0]).collect();
        assert_eq!(initial, [1.0, 0.0, 0.0, 1.0]);
        assert!(layer.params().iter().all(|p| p.value.shape() == [4]));
        let count = BatchNormalizationConfig::default().param_count(&[5, 5, 4]);
        assert_eq!((count.trainable, count.non_trainable), (8, 8));
    }

    #[test]
    fn scale_and_center_off_leave_only_the_moving_statistics() {
        let config = BatchNormalizationConfig {
            scale: false,
            ..BatchNormalizationConfig::default()
        };
        let layer = BatchNormalization::new(config, &[3]);
        let names: Vec<_> = layer.params().iter().map(|p| p.name).collect();
        assert_eq!(names, ["beta", "moving_mean", "moving_variance"]);
        let config = BatchNormalizationConfig {
            scale: false,
            center: false,
            ..BatchNormalizationConfig::default()
        };
        let names: Vec<_> = BatchNormalization::new(config, &[3])
            .params()
            .iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["moving_mean", "moving_variance"]);
    }

    /// Gamma and beta away from 1 and 0, so that their gradients are exercised.
    fn layer_with_affine(
        input_shape: &[usize],
        config: BatchNormalizationConfig,
    ) -> BatchNormalization {
        let mut layer = BatchNormalization::new(config, input_shape);
        let mut rng = Rng::new(11);
        for param in layer.params_mut().iter_mut().filter(|p| p.trainable) {
            param
                .value
                .mapv_inplace(|v| v + rng.uniform_range(-0.5, 0.5));
        }
        layer
    }

    #[test]
    fn train_gradients_match_finite_differences_on_2d_input() {
        let mut layer = layer_with_affine(&[3], BatchNormalizationConfig::default());
        check_gradients(&mut layer, &test_input(&[5, 3], 7), Mode::Train, 1e-2);
    }

    #[test]
    fn train_gradients_match_finite_differences_on_4d_input() {
        let mut layer = layer_with_affine(&[3, 3, 2], BatchNormalizationConfig::default());
        check_gradients(&mut layer, &test_input(&[2, 3, 3, 2], 8), Mode::Train, 1e-2);
    }

    #[test]
    fn train_gradients_match_finite_differences_without_scale() {
        let config = BatchNormalizationConfig {
            scale: false,
            ..BatchNormalizationConfig::default()
        };
        let mut layer = layer_with_affine(&[4], config);
        check_gradients(&mut layer, &test_input(&[6, 4], 9), Mode::Train, 1e-2);
    }

    #[test]
    fn infer_gradients_match_finite_differences() {
        let mut layer = layer_with_affine(&[2, 2, 3], BatchNormalizationConfig::default());
        layer.params_mut()[2].value = array![0.1f32, -0.2, 0.3].into_dyn();
        layer.params_mut()[3].value = array![0.5f32, 1.5, 2.0].into_dyn();
        check_gradients(
            &mut layer,
            &test_input(&[2, 2, 2, 3], 10),
            Mode::Infer,
            1e-2,
        );
    }
}
