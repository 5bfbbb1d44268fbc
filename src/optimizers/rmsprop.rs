//! Keras `RMSprop`: divides each step by a moving root mean square of the gradient.
//!
//! Keras 3's rule, with learning rate `lr`, decay `ρ` and epsilon `ε` inside the square root:
//! - `v = ρ·v + (1 - ρ)·g²` (the velocity starts at 0);
//! - centered: also `a = ρ·a + (1 - ρ)·g` and the denominator is `v - a² + ε` (a variance
//!   estimate), else it is `v + ε`;
//! - `increment = lr·g / √denominator`;
//! - with momentum `μ > 0`: `m = μ·m + increment`, `w -= m`; else `w -= increment`.

use ndarray::Zip;
use serde::{Deserialize, Serialize};

use super::{check_range, BaseOptimizerArgs, Optimizer, Range, SlotStates};
use crate::error::ConvlabError;
use crate::tensor::Tensor;

/// Keras `RMSprop` arguments, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RmsPropConfig {
    /// Step size (Keras default 0.001).
    pub learning_rate: f32,
    /// Decay of the moving average of squared gradients, in [0, 1) (Keras default 0.9).
    pub rho: f64,
    /// Momentum on the increments, in [0, 1); 0 disables it (Keras default 0.0).
    pub momentum: f64,
    /// Added to the mean square before the square root (Keras default 1e-7).
    pub epsilon: f64,
    /// Divide by the gradient's estimated variance instead of its mean square (Keras default
    /// `False`).
    pub centered: bool,
    /// The base-optimizer arguments, at their defaults.
    #[serde(flatten)]
    pub base: BaseOptimizerArgs,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        RmsPropConfig {
            learning_rate: 0.001,
            rho: 0.9,
            momentum: 0.0,
            epsilon: 1e-7,
            centered: false,
            base: BaseOptimizerArgs::default(),
        }
    }
}

impl RmsPropConfig {
    /// Checks every argument; the error names the field and a fix.
    pub fn validate(&self) -> Result<(), ConvlabError> {
        check_range(
            "learning_rate",
            self.learning_rate,
            Range::Positive,
            "0.001",
        )?;
        check_range("rho", self.rho, Range::Fraction, "0.9")?;
        check_range(
            "momentum",
            self.momentum,
            Range::Fraction,
            "0.9 (or 0 for no momentum)",
        )?;
        check_range("epsilon", self.epsilon, Range::Positive, "1e-7")?;
        self.base.validate()
    }
}

/// The `f32` constants of the update, cast as Keras casts them (`1 - ρ` computed in `f64`).
#[derive(Clone, Copy)]
struct Rule {
    learning_rate: f32,
    rho: f32,
    one_minus_rho: f32,
    momentum: f32,
    epsilon: f32,
}

impl Rule {
    /// Updates the velocity and returns the plain denominator `v + ε`.
    #[inline]
    fn denominator(self, v: &mut f32, g: f32) -> f32 {
        *v = self.rho * *v + self.one_minus_rho * (g * g);
        *v + self.epsilon
    }

    /// Updates the velocity and the average gradient and returns the centered denominator
    /// `v - a² + ε`.
    #[inline]
    fn centered_denominator(self, v: &mut f32, a: &mut f32, g: f32) -> f32 {
        *v = self.rho * *v + self.one_minus_rho * (g * g);
        *a = self.rho * *a + self.one_minus_rho * g;
        *v - *a * *a + self.epsilon
    }

    /// `lr·g / √denominator`.
    #[inline]
    fn increment(self, g: f32, denominator: f32) -> f32 {
        self.learning_rate * g / denominator.sqrt()
    }

    /// Folds `increment` into the momentum `m` and returns the step `m`.
    #[inline]
    fn with_momentum(self, m: &mut f32, increment: f32) -> f32 {
        *m = self.momentum * *m + increment;
        *m
    }
}

/// One parameter's state: the velocity, and the momentum and average gradient when enabled.
struct SlotState {
    velocity: Tensor,
    momentum: Option<Tensor>,
    average_gradient: Option<Tensor>,
}

/// The RMSprop optimizer.
pub struct RmsProp {
    rule: Rule,
    centered: bool,
    states: SlotStates<SlotState>,
}

impl RmsProp {
    /// RMSprop as `config` describes it.
    pub fn new(config: &RmsPropConfig) -> Self {
        RmsProp {
            rule: Rule {
                learning_rate: config.learning_rate,
                rho: config.rho as f32,
                one_minus_rho: (1.0 - config.rho) as f32,
                momentum: config.momentum as f32,
                epsilon: config.epsilon as f32,
            },
            centered: config.centered,
            states: SlotStates::new(),
        }
    }
}

impl Optimizer for RmsProp {
    fn begin_step(&mut self) {}

    fn update(&mut self, slot: usize, value: &mut Tensor, grad: &Tensor) {
        let rule = self.rule;
        let centered = self.centered;
        let state = self.states.get_or_create(slot, || {
            let zeros = || Tensor::zeros(value.raw_dim());
            SlotState {
                velocity: zeros(),
                momentum: (rule.momentum > 0.0).then(zeros),
                average_gradient: centered.then(zeros),
            }
        });
        let steps = Zip::from(value).and(grad).and(&mut state.velocity);
        match (&mut state.average_gradient, &mut state.momentum) {
            (None, None) => {
                steps.for_each(|w, &g, v| *w -= rule.increment(g, rule.denominator(v, g)))
            }
            (None, Some(momentum)) => steps.and(momentum).for_each(|w, &g, v, m| {
                *w -= rule.with_momentum(m, rule.increment(g, rule.denominator(v, g)))
            }),
            (Some(average), None) => steps.and(average).for_each(|w, &g, v, a| {
                *w -= rule.increment(g, rule.centered_denominator(v, a, g))
            }),
            (Some(average), Some(momentum)) => {
                steps.and(average).and(momentum).for_each(|w, &g, v, a, m| {
                    let increment = rule.increment(g, rule.centered_denominator(v, a, g));
                    *w -= rule.with_momentum(m, increment)
                })
            }
        }
    }

    fn learning_rate(&self) -> f32 {
        self.rule.learning_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizers::golden::assert_three_steps_match_keras;
    use crate::optimizers::OptimizerConfig;

    fn rmsprop(momentum: f64, centered: bool) -> OptimizerConfig {
        OptimizerConfig::RmsProp(RmsPropConfig {
            learning_rate: 0.1,
            momentum,
            centered,
            ..RmsPropConfig::default()
        })
    }

    #[test]
    fn keras_defaults() {
        let config = RmsPropConfig::default();
        assert_eq!(
            (
                config.learning_rate,
                config.rho,
                config.momentum,
                config.epsilon,
                config.centered
            ),
            (0.001, 0.9, 0.0, 1e-7, false)
        );
    }

    #[test]
    fn plain_matches_keras() {
        // run(keras.optimizers.RMSprop(learning_rate=0.1))
        assert_three_steps_match_keras(
            rmsprop(0.0, false),
            [0.040002137, -1.2189388, 1.7580752, 0.018692195],
        );
    }

    #[test]
    fn momentum_matches_keras() {
        // run(keras.optimizers.RMSprop(learning_rate=0.1, momentum=0.9))
        assert_three_steps_match_keras(
            rmsprop(0.9, false),
            [-0.78033614, -0.9049016, 1.3317761, 0.55944],
        );
    }

    #[test]
    fn centered_matches_keras() {
        // run(keras.optimizers.RMSprop(learning_rate=0.1, centered=True))
        assert_three_steps_match_keras(
            rmsprop(0.0, true),
            [0.0010448247, -1.2174503, 1.7413867, 0.029590309],
        );
    }

    #[test]
    fn centered_with_momentum_matches_keras() {
        // run(keras.optimizers.RMSprop(learning_rate=0.1, momentum=0.9, centered=True))
        assert_three_steps_match_keras(
            rmsprop(0.9, true),
            [-0.86946434, -0.87472975, 1.2871034, 0.59958833],
        );
    }
}
