//! `Dropout`: inverted dropout. In training each value is zeroed with probability `rate` and the
//! survivors are scaled by `1 / (1 − rate)`; at inference it is the identity.

use serde::{Deserialize, Serialize};

use super::{Layer, LayerConfig, Mode, ParamCount};
use crate::error::FieldError;
use crate::rng::Rng;
use crate::tensor::{ensure_shape, Tensor};

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

/// A built `Dropout` layer. Keeps the last training mask (as scale factors `0` or
/// `1 / (1 − rate)`) for backward.
pub struct Dropout {
    rate: f32,
    output_shape: Vec<usize>,
    mask: Tensor,
    /// Whether the last forward applied `mask` (Train with `rate > 0`) or was the identity.
    masked: bool,
}

impl Dropout {
    /// Builds the layer for per-sample `input_shape` (the output has the same shape).
    pub fn new(config: DropoutConfig, input_shape: &[usize]) -> Self {
        Dropout {
            rate: config.rate,
            output_shape: input_shape.to_vec(),
            mask: Tensor::zeros(ndarray::IxDyn(&[0])),
            masked: false,
        }
    }
}

impl Layer for Dropout {
    fn class_name(&self) -> &'static str {
        "Dropout"
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// Train: each value is kept when a uniform draw from `rng` is ≥ `rate` and scaled by
    /// `1 / (1 − rate)`, so the expected output equals the input and inference needs no rescaling.
    /// Infer (or `rate = 0`, as in Keras): the identity.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, mode: Mode, rng: &mut Rng) {
        ensure_shape(output, input.shape());
        self.masked = mode == Mode::Train && self.rate > 0.0;
        if self.masked {
            ensure_shape(&mut self.mask, input.shape());
            let (rate, scale) = (self.rate, 1.0 / (1.0 - self.rate));
            self.mask
                .mapv_inplace(|_| if rng.uniform() >= rate { scale } else { 0.0 });
            ndarray::Zip::from(output)
                .and(input)
                .and(&self.mask)
                .for_each(|y, &x, &m| *y = x * m);
        } else {
            output.assign(input);
        }
    }

    /// The gradient passes where the value was kept, with the same scale.
    fn backward(
        &mut self,
        input: &Tensor,
        _output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        if let Some(grad_input) = grad_input {
            ensure_shape(grad_input, input.shape());
            if self.masked {
                ndarray::Zip::from(grad_input)
                    .and(&*grad_output)
                    .and(&self.mask)
                    .for_each(|gi, &g, &m| *gi = g * m);
            } else {
                grad_input.assign(grad_output);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::IxDyn;

    fn dropout(rate: f32, shape: &[usize]) -> Dropout {
        Dropout::new(DropoutConfig { rate }, shape)
    }

    #[test]
    fn rate_one_half_zeroes_about_half_and_keeps_the_mean() {
        let mut layer = dropout(0.5, &[10_000]);
        let input = Tensor::ones(IxDyn(&[1, 10_000]));
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Train, &mut Rng::new(4));
        let zeros = output.iter().filter(|&&y| y == 0.0).count();
        assert!((4_800..=5_200).contains(&zeros), "{zeros} zeros");
        assert!(output.iter().all(|&y| y == 0.0 || y == 2.0));
        let mean = output.mean().unwrap();
        assert!((mean - 1.0).abs() < 0.04, "mean {mean}");
    }

    #[test]
    fn same_seed_gives_the_same_mask() {
        let input = test_input(&[4, 25], 1);
        let run = |seed| {
            let mut output = Tensor::zeros(IxDyn(&[0]));
            dropout(0.3, &[25]).forward(&input, &mut output, Mode::Train, &mut Rng::new(seed));
            output
        };
        assert_eq!(run(8), run(8));
        assert_ne!(run(8), run(9));
    }

    #[test]
    fn infer_is_the_identity() {
        let mut layer = dropout(0.5, &[3, 3, 2]);
        let input = test_input(&[2, 3, 3, 2], 2);
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        assert_eq!(output, input);
    }

    #[test]
    fn train_gradients_use_the_mask() {
        let mut layer = dropout(0.4, &[30]);
        check_gradients(&mut layer, &test_input(&[3, 30], 3), Mode::Train, 1e-3);
        assert!(layer.mask.iter().any(|&m| m == 0.0));
    }

    #[test]
    fn infer_gradients_pass_through() {
        let mut layer = dropout(0.4, &[30]);
        check_gradients(&mut layer, &test_input(&[3, 30], 3), Mode::Infer, 1e-3);
    }
}
