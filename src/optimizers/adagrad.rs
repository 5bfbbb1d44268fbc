//! Keras `Adagrad`: divides each step by the root of all squared gradients seen so far, so
//! parameters with large past gradients take smaller steps.
//!
//! Keras 3's rule, with learning rate `lr` and epsilon `ε` inside the square root:
//! `acc += g²` (the accumulator starts at `initial_accumulator_value`), then
//! `w -= lr·g / √(acc + ε)`.

use ndarray::Zip;
use serde::{Deserialize, Serialize};

use super::{check_range, BaseOptimizerArgs, Optimizer, Range, SlotStates};
use crate::error::ConvlabError;
use crate::tensor::Tensor;

/// Keras `Adagrad` arguments, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdagradConfig {
    /// Step size (Keras default 0.001).
    pub learning_rate: f32,
    /// Starting value of every accumulator; keeps the first steps finite (Keras default 0.1).
    pub initial_accumulator_value: f64,
    /// Added to the accumulator before the square root (Keras default 1e-7).
    pub epsilon: f64,
    /// The base-optimizer arguments, at their defaults.
    #[serde(flatten)]
    pub base: BaseOptimizerArgs,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        AdagradConfig {
            learning_rate: 0.001,
            initial_accumulator_value: 0.1,
            epsilon: 1e-7,
            base: BaseOptimizerArgs::default(),
        }
    }
}

impl AdagradConfig {
    /// Checks every argument; the error names the field and a fix.
    pub fn validate(&self) -> Result<(), ConvlabError> {
        check_range(
            "learning_rate",
            self.learning_rate,
            Range::Positive,
            "0.001",
        )?;
        check_range(
            "initial_accumulator_value",
            self.initial_accumulator_value,
            Range::NonNegative,
            "0.1",
        )?;
        check_range("epsilon", self.epsilon, Range::Positive, "1e-7")?;
        self.base.validate()
    }
}

/// The Adagrad optimizer, holding one accumulator of squared gradients per parameter.
pub struct Adagrad {
    learning_rate: f32,
    initial_accumulator_value: f32,
    epsilon: f32,
    accumulators: SlotStates<Tensor>,
}

impl Adagrad {
    /// Adagrad as `config` describes it.
    pub fn new(config: &AdagradConfig) -> Self {
        Adagrad {
            learning_rate: config.learning_rate,
            initial_accumulator_value: config.initial_accumulator_value as f32,
            epsilon: config.epsilon as f32,
            accumulators: SlotStates::new(),
        }
    }
}

impl Optimizer for Adagrad {
    fn begin_step(&mut self) {}

    fn update(&mut self, slot: usize, value: &mut Tensor, grad: &Tensor) {
        let (lr, epsilon) = (self.learning_rate, self.epsilon);
        let initial = self.initial_accumulator_value;
        let accumulator = self
            .accumulators
            .get_or_create(slot, || Tensor::from_elem(value.raw_dim(), initial));
        Zip::from(value)
            .and(grad)
            .and(accumulator)
            .for_each(|w, &g, acc| {
                *acc += g * g;
                *w -= lr * g / (*acc + epsilon).sqrt();
            });
    }

    fn learning_rate(&self) -> f32 {
        self.learning_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizers::golden::assert_three_steps_match_keras;
    use crate::optimizers::OptimizerConfig;

    #[test]
    fn keras_defaults() {
        let config = AdagradConfig::default();
        assert_eq!(
            (
                config.learning_rate,
                config.initial_accumulator_value,
                config.epsilon
            ),
            (0.001, 0.1, 1e-7)
        );
    }

    #[test]
    fn matches_keras() {
        // run(keras.optimizers.Adagrad(learning_rate=0.1))
        let config = AdagradConfig {
            learning_rate: 0.1,
            ..AdagradConfig::default()
        };
        assert_three_steps_match_keras(
            OptimizerConfig::Adagrad(config),
            [0.43123692, -1.0821034, 1.9477812, -0.010640636],
        );
    }
}
