//! `MaxPooling2D` and `AveragePooling2D`: one window loop, two reductions.
//!
//! With `padding='same'`, padded cells never win a max and are not counted in an average
//! (TensorFlow's behaviour).

use serde::{Deserialize, Serialize};

use super::conv2d::{Window, WindowGrid};
use super::keras_args::{optional_pair, pair, two_two};
use super::{expect_image, window_output_size, Layer, LayerConfig, Mode, ParamCount};
use crate::error::FieldError;
use crate::padding::{OutputSize, Padding};
use crate::rng::Rng;
use crate::tensor::{ensure_batch_shape, ensure_shape, Tensor};

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

/// A built `MaxPooling2D` or `AveragePooling2D`: a window slides over each channel separately.
pub struct Pooling2d {
    config: Pooling2dConfig,
    grid: WindowGrid,
    output_shape: Vec<usize>,
    /// Max pooling: for every output value of the last forward batch, the flat input index of the
    /// cell that won (the first maximum in row-major window order, as TensorFlow picks).
    winners: Vec<u32>,
}

impl Pooling2d {
    /// Builds the layer for a per-sample `input_shape` `[h, w, c]`.
    ///
    /// # Panics
    /// If `config.output_shape(input_shape)` is an error: check it first, as every caller of
    /// [`LayerConfig::build`] does.
    pub fn new(config: Pooling2dConfig, input_shape: &[usize]) -> Self {
        let (output_shape, size) = match (
            config.output_shape(input_shape),
            config.arithmetic(input_shape),
        ) {
            (Ok(shape), Ok(size)) => (shape, size),
            (Err(error), _) | (_, Err(error)) => panic!(
                "{} cannot be built on input {input_shape:?}: {}: {}",
                config.class_name(),
                error.field,
                error.message
            ),
        };
        let image = [input_shape[0], input_shape[1], input_shape[2]];
        Pooling2d {
            config,
            grid: WindowGrid::new(image, size),
            output_shape,
            winners: Vec::new(),
        }
    }
}

impl Layer for Pooling2d {
    fn class_name(&self) -> &'static str {
        self.config.class_name()
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// Each output value is the max (or the mean) of its window's cells inside the image; input
    /// `[b, h, w, c]`, output `[b, oh, ow, c]`.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, _mode: Mode, _rng: &mut Rng) {
        let batch = input.shape()[0];
        let channels = self.grid.image[2];
        let input = input.as_standard_layout();
        let input = input.as_slice().expect("standard layout");
        ensure_batch_shape(output, batch, &self.output_shape);
        let output = output.as_slice_mut().expect("standard layout");
        match self.config.kind {
            PoolKind::Max => {
                assert!(
                    u32::try_from(input.len()).is_ok(),
                    "a batch of 2³² values or more does not fit the pooling winners' indices"
                );
                let winners = &mut self.winners;
                winners.resize(output.len(), 0);
                self.grid.for_each(batch, |window| {
                    let out = window.position * channels..(window.position + 1) * channels;
                    let (best, winner) = (&mut output[out.clone()], &mut winners[out]);
                    // Plain loops rather than one flattened iterator over the cells, which wasm
                    // runs as a call per cell.
                    let mut first = true;
                    for row in self.grid.input_rows(window) {
                        for cell_start in row.step_by(channels) {
                            let cell = &input[cell_start..][..channels];
                            if first {
                                best.copy_from_slice(cell);
                                for (channel, winner) in winner.iter_mut().enumerate() {
                                    *winner = (cell_start + channel) as u32;
                                }
                                first = false;
                            } else {
                                keep_larger(best, winner, cell, cell_start as u32);
                            }
                        }
                    }
                });
            }
            PoolKind::Average => {
                self.grid.for_each(batch, |window| {
                    let mean = &mut output[window.position * channels..][..channels];
                    mean.fill(0.0);
                    for row in self.grid.input_rows(window) {
                        for cell in input[row].chunks_exact(channels) {
                            for (sum, &value) in mean.iter_mut().zip(cell) {
                                *sum += value;
                            }
                        }
                    }
                    let scale = 1.0 / valid_cells(window) as f32;
                    mean.iter_mut().for_each(|sum| *sum *= scale);
                });
            }
        }
    }

    /// Max: each output gradient goes to the cell that won. Average: it is shared equally by the
    /// window's cells inside the image. Overlapping windows add up.
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
        let batch = input.shape()[0];
        let channels = self.grid.image[2];
        let grad_output = grad_output.as_standard_layout();
        let grad_output = grad_output.as_slice().expect("standard layout");
        ensure_shape(grad_input, input.shape());
        let grad_input = grad_input.as_slice_mut().expect("standard layout");
        grad_input.fill(0.0);
        match self.config.kind {
            PoolKind::Max => {
                for (&grad, &winner) in grad_output.iter().zip(&self.winners) {
                    grad_input[winner as usize] += grad;
                }
            }
            PoolKind::Average => {
                self.grid.for_each(batch, |window| {
                    let grad = &grad_output[window.position * channels..][..channels];
                    let scale = 1.0 / valid_cells(window) as f32;
                    for row in self.grid.input_rows(window) {
                        for cell in grad_input[row].chunks_exact_mut(channels) {
                            for (cell_grad, &grad) in cell.iter_mut().zip(grad) {
                                *cell_grad += grad * scale;
                            }
                        }
                    }
                });
            }
        }
    }
}

/// Where `cell` (whose first value has flat index `cell_start`) beats `best` (strictly, so the
/// first maximum in window order wins, as in TensorFlow), takes its value and index. Written as
/// bit masks rather than branches: with random data a branch mispredicts half the time, and
/// the masked loop vectorizes.
fn keep_larger(best: &mut [f32], winner: &mut [u32], cell: &[f32], cell_start: u32) {
    let n = best.len();
    let (winner, cell) = (&mut winner[..n], &cell[..n]);
    for c in 0..n {
        let mask = 0u32.wrapping_sub((cell[c] > best[c]) as u32);
        let (old, new) = (best[c].to_bits(), cell[c].to_bits());
        best[c] = f32::from_bits(old ^ ((old ^ new) & mask));
        winner[c] ^= (winner[c] ^ (cell_start + c as u32)) & mask;
    }
}

/// How many image cells a window covers: TensorFlow's average-pooling divisor, which leaves out
/// padded cells (a 2×2 window hanging over the edge with 2 real cells divides by 2, not 4).
fn valid_cells(window: &Window) -> usize {
    window.rows.len() * window.cols.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::IxDyn;

    /// 1, 2, 3, … (times `sign`) laid out as a one-channel `[1, side, side, 1]` image.
    fn counting_image(side: usize, sign: f32) -> Tensor {
        let values = (1..=side * side).map(|v| sign * v as f32).collect();
        Tensor::from_shape_vec(IxDyn(&[1, side, side, 1]), values).unwrap()
    }

    fn config(kind: PoolKind, pool: usize, strides: usize, padding: Padding) -> Pooling2dConfig {
        Pooling2dConfig {
            strides: Some([strides, strides]),
            padding,
            ..Pooling2dConfig::new(kind, [pool, pool])
        }
    }

    fn pool(config: Pooling2dConfig, input: &Tensor) -> Tensor {
        let mut layer = Pooling2d::new(config, &input.shape()[1..]);
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(input, &mut output, Mode::Infer, &mut Rng::new(0));
        output
    }

    fn values(output: &Tensor) -> Vec<f32> {
        output.iter().copied().collect()
    }

    fn gradients_match(config: Pooling2dConfig, input_shape: &[usize], seed: u64) {
        let mut layer = Pooling2d::new(config, &input_shape[1..]);
        check_gradients(
            &mut layer,
            &test_input(input_shape, seed),
            Mode::Train,
            1e-2,
        );
    }

    #[test]
    fn shapes_follow_the_keras_arithmetic() {
        // (28 − 2 + 2·0)/2 + 1 = 14
        let halves = Pooling2dConfig::new(PoolKind::Max, [2, 2]);
        assert_eq!(
            halves.output_shape(&[28, 28, 32]).unwrap(),
            vec![14, 14, 32]
        );
        // ⌊(7 − 2 + 2·0)/2⌋ + 1 = 3: the last row and column are dropped.
        assert_eq!(halves.output_shape(&[7, 7, 8]).unwrap(), vec![3, 3, 8]);
        // (7 − 2 + 0 + 1)/2 + 1 = 4
        let same = config(PoolKind::Average, 2, 2, Padding::Same);
        assert_eq!(same.output_shape(&[7, 7, 8]).unwrap(), vec![4, 4, 8]);
        // ⌊(7 − 3 + 2·0)/2⌋ + 1 = 3
        let overlapping = config(PoolKind::Max, 3, 2, Padding::Valid);
        assert_eq!(overlapping.output_shape(&[7, 7, 2]).unwrap(), vec![3, 3, 2]);

        let layer = Pooling2d::new(same, &[7, 7, 8]);
        assert_eq!(layer.output_shape(), &[4, 4, 8]);
        assert_eq!(layer.class_name(), "AveragePooling2D");
        assert_eq!(
            Pooling2d::new(halves, &[7, 7, 8]).class_name(),
            "MaxPooling2D"
        );
    }

    #[test]
    fn strides_default_to_the_pool_size() {
        // pool 3, strides None → 3: (9 − 3 + 2·0)/3 + 1 = 3.
        let config = Pooling2dConfig::new(PoolKind::Max, [3, 3]);
        assert_eq!(config.effective_strides(), [3, 3]);
        let output = pool(config, &counting_image(9, 1.0));
        // Windows end at rows/cols 2, 5, 8: maxima 9·r + c + 1 at (2, 2), (2, 5), …
        assert_eq!(
            values(&output),
            vec![21.0, 24.0, 27.0, 48.0, 51.0, 54.0, 75.0, 78.0, 81.0]
        );
    }

    #[test]
    fn max_pooling_valid_2x2_on_4x4() {
        let output = pool(
            Pooling2dConfig::new(PoolKind::Max, [2, 2]),
            &counting_image(4, 1.0),
        );
        assert_eq!(output.shape(), &[1, 2, 2, 1]);
        assert_eq!(values(&output), vec![6.0, 8.0, 14.0, 16.0]);
    }

    #[test]
    fn max_pooling_same_on_odd_input_never_picks_padding() {
        // 5×5, pool 2, s2, same: out 3, pad (0, 1); windows cover rows {0,1}, {2,3}, {4}.
        // All values are negative, so a zero padded cell would win if it were counted.
        let output = pool(
            config(PoolKind::Max, 2, 2, Padding::Same),
            &counting_image(5, -1.0),
        );
        assert_eq!(output.shape(), &[1, 3, 3, 1]);
        assert_eq!(
            values(&output),
            vec![-1.0, -3.0, -5.0, -11.0, -13.0, -15.0, -21.0, -23.0, -25.0]
        );
    }

    #[test]
    fn average_pooling_valid_2x2_on_4x4() {
        // (1+2+5+6)/4 = 3.5, …
        let output = pool(
            Pooling2dConfig::new(PoolKind::Average, [2, 2]),
            &counting_image(4, 1.0),
        );
        assert_eq!(values(&output), vec![3.5, 5.5, 11.5, 13.5]);
    }

    #[test]
    fn average_pooling_same_on_odd_input_divides_by_the_valid_cells() {
        // 5×5, pool 2, s2, same: pad (0, 1). Full windows divide by 4: (1+2+6+7)/4 = 4;
        // right-edge windows by 2: (5+10)/2 = 7.5 (not 3.75); the corner by 1: 25.
        let output = pool(
            config(PoolKind::Average, 2, 2, Padding::Same),
            &counting_image(5, 1.0),
        );
        assert_eq!(
            values(&output),
            vec![4.0, 6.0, 7.5, 14.0, 16.0, 17.5, 21.5, 23.5, 25.0]
        );
    }

    #[test]
    fn average_pooling_same_3x3_stride_1_pads_both_sides() {
        // 3×3 of 1..9, pool 3, s1, same: pad (1, 1). Corner (0, 0): (1+2+4+5)/4 = 3;
        // edge (0, 1): (1+2+3+4+5+6)/6 = 3.5; centre: 45/9 = 5.
        let output = pool(
            config(PoolKind::Average, 3, 1, Padding::Same),
            &counting_image(3, 1.0),
        );
        assert_eq!(
            values(&output),
            vec![3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0]
        );
    }

    #[test]
    fn pools_each_channel_separately() {
        // 2×2×2 with channel 0 = 1..4 and channel 1 = 40, 30, 20, 10 (NHWC interleaved).
        let input = Tensor::from_shape_vec(
            IxDyn(&[1, 2, 2, 2]),
            vec![1.0, 40.0, 2.0, 30.0, 3.0, 20.0, 4.0, 10.0],
        )
        .unwrap();
        let max = pool(Pooling2dConfig::new(PoolKind::Max, [2, 2]), &input);
        assert_eq!(values(&max), vec![4.0, 40.0]);
        let average = pool(Pooling2dConfig::new(PoolKind::Average, [2, 2]), &input);
        assert_eq!(values(&average), vec![2.5, 25.0]);
    }

    #[test]
    fn max_pooling_gradient_goes_to_the_winner_and_adds_up_where_windows_overlap() {
        // 1×3×3, pool 2, s1: the centre 9 wins all four windows and receives 1+2+3+4 = 10.
        let input = Tensor::from_shape_vec(
            IxDyn(&[1, 3, 3, 1]),
            vec![1.0, 2.0, 3.0, 4.0, 9.0, 5.0, 6.0, 7.0, 8.0],
        )
        .unwrap();
        let mut layer = Pooling2d::new(config(PoolKind::Max, 2, 1, Padding::Valid), &[3, 3, 1]);
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Train, &mut Rng::new(0));
        let mut grad_output =
            Tensor::from_shape_vec(IxDyn(&[1, 2, 2, 1]), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let mut grad_input = Tensor::zeros(IxDyn(&[0]));
        layer.backward(&input, &output, &mut grad_output, Some(&mut grad_input));
        assert_eq!(
            values(&grad_input),
            vec![0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0]
        );
    }

    #[test]
    fn gradients_max_pooling_valid() {
        gradients_match(
            Pooling2dConfig::new(PoolKind::Max, [2, 2]),
            &[2, 4, 4, 3],
            1,
        );
    }

    #[test]
    fn gradients_max_pooling_same() {
        gradients_match(config(PoolKind::Max, 2, 2, Padding::Same), &[2, 5, 5, 2], 2);
    }

    #[test]
    fn gradients_max_pooling_overlapping_windows() {
        gradients_match(
            config(PoolKind::Max, 3, 2, Padding::Valid),
            &[1, 7, 7, 2],
            3,
        );
    }

    #[test]
    fn gradients_average_pooling_valid() {
        gradients_match(
            Pooling2dConfig::new(PoolKind::Average, [2, 2]),
            &[2, 5, 5, 3],
            4,
        );
    }

    #[test]
    fn gradients_average_pooling_same() {
        gradients_match(
            config(PoolKind::Average, 2, 2, Padding::Same),
            &[2, 5, 5, 3],
            5,
        );
    }

    #[test]
    fn gradients_average_pooling_same_overlapping() {
        gradients_match(
            config(PoolKind::Average, 3, 2, Padding::Same),
            &[2, 6, 6, 2],
            6,
        );
    }

    #[test]
    fn forward_twice_with_different_batch_sizes() {
        for kind in [PoolKind::Max, PoolKind::Average] {
            let mut layer = Pooling2d::new(config(kind, 3, 2, Padding::Same), &[5, 5, 2]);
            let batch = test_input(&[3, 5, 5, 2], 7);
            let first = batch
                .slice(ndarray::s![0..1, .., .., ..])
                .to_owned()
                .into_dyn();
            let mut big = Tensor::zeros(IxDyn(&[0]));
            layer.forward(&batch, &mut big, Mode::Train, &mut Rng::new(0));
            let mut small = Tensor::zeros(IxDyn(&[0]));
            layer.forward(&first, &mut small, Mode::Train, &mut Rng::new(0));
            assert_eq!(small, big.slice(ndarray::s![0..1, .., .., ..]).into_dyn());

            let mut grad_input = Tensor::zeros(IxDyn(&[0]));
            layer.backward(&first, &small, &mut small.clone(), Some(&mut grad_input));
            assert_eq!(grad_input.shape(), first.shape());
        }
    }
}
