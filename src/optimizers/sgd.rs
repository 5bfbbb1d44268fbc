//! Keras `SGD`: gradient descent, optionally with momentum or Nesterov momentum.
//!
//! Keras 3's rule, with learning rate `lr` and momentum `μ`:
//! - plain (`μ = 0`): `w -= g·lr`;
//! - momentum: `m = m·μ - g·lr`, then `w += m`;
//! - Nesterov: `m = m·μ - g·lr`, then `w += m·μ - g·lr` (a look-ahead along the new velocity).

use ndarray::Zip;
use serde::{Deserialize, Serialize};

use super::{check_range, BaseOptimizerArgs, Optimizer, Range, SlotStates};
use crate::error::ConvlabError;
use crate::tensor::Tensor;

/// Keras `SGD` arguments, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SgdConfig {
    /// Step size (Keras default 0.01).
    pub learning_rate: f32,
    /// How much of the previous step is kept, in [0, 1); 0 is plain SGD (Keras default 0.0).
    pub momentum: f64,
    /// Nesterov momentum instead of classical momentum (Keras default `False`).
    pub nesterov: bool,
    /// The base-optimizer arguments, at their defaults.
    #[serde(flatten)]
    pub base: BaseOptimizerArgs,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig {
            learning_rate: 0.01,
            momentum: 0.0,
            nesterov: false,
            base: BaseOptimizerArgs::default(),
        }
    }
}

impl SgdConfig {
    /// Checks every argument; the error names the field and a fix.
    pub fn validate(&self) -> Result<(), ConvlabError> {
        check_range("learning_rate", self.learning_rate, Range::Positive, "0.01")?;
        check_range(
            "momentum",
            self.momentum,
            Range::Fraction,
            "0.9 (or 0 for no momentum)",
        )?;
        self.base.validate()
    }
}

/// The SGD optimizer, holding one velocity per parameter when momentum is on.
pub struct Sgd {
    learning_rate: f32,
    momentum: f32,
    nesterov: bool,
    velocities: SlotStates<Tensor>,
}

impl Sgd {
    /// SGD as `config` describes it.
    pub fn new(config: &SgdConfig) -> Self {
        Sgd {
            learning_rate: config.learning_rate,
            momentum: config.momentum as f32,
            nesterov: config.nesterov,
            velocities: SlotStates::new(),
        }
    }
}

impl Optimizer for Sgd {
    fn begin_step(&mut self) {}

    fn update(&mut self, slot: usize, value: &mut Tensor, grad: &Tensor) {
        let (lr, momentum) = (self.learning_rate, self.momentum);
        if momentum == 0.0 {
            Zip::from(value).and(grad).for_each(|w, &g| *w -= g * lr);
            return;
        }
        let velocity = self
            .velocities
            .get_or_create(slot, || Tensor::zeros(value.raw_dim()));
        let steps = Zip::from(value).and(grad).and(velocity);
        if self.nesterov {
            steps.for_each(|w, &g, m| {
                *m = *m * momentum - g * lr;
                *w += *m * momentum - g * lr;
            });
        } else {
            steps.for_each(|w, &g, m| {
                *m = *m * momentum - g * lr;
                *w += *m;
            });
        }
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

    fn sgd(momentum: f64, nesterov: bool) -> OptimizerConfig {
        OptimizerConfig::Sgd(SgdConfig {
            learning_rate: 0.1,
            momentum,
            nesterov,
            ..SgdConfig::default()
        })
    }

    #[test]
    fn keras_defaults() {
        let config = SgdConfig::default();
        assert_eq!(
            (config.learning_rate, config.momentum, config.nesterov),
            (0.01, 0.0, false)
        );
    }

    #[test]
    fn plain_matches_keras() {
        // run(keras.optimizers.SGD(learning_rate=0.1))
        assert_three_steps_match_keras(sgd(0.0, false), [0.47, -1.065, 1.9775001, -0.06]);
    }

    #[test]
    fn momentum_matches_keras() {
        // run(keras.optimizers.SGD(learning_rate=0.1, momentum=0.9))
        assert_three_steps_match_keras(sgd(0.9, false), [0.4079, -1.0533, 1.93745, 0.008400008]);
    }

    #[test]
    fn nesterov_matches_keras() {
        // run(keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
        assert_three_steps_match_keras(
            sgd(0.9, true),
            [0.38711, -1.11297, 1.9212049, -0.052440003],
        );
    }
}
