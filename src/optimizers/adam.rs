//! Keras `Adam`: steps along a moving average of the gradient, scaled by a moving root mean
//! square, with the bias of both zero-started averages corrected.
//!
//! Keras 3's rule at step `t` (1, 2, …), with learning rate `lr` and epsilon `ε` outside the
//! square root:
//! - `m += (g - m)·(1 - β₁)` and `v += (g² - v)·(1 - β₂)` (both start at 0);
//! - the bias correction is folded into the step size: `α = lr·√(1 - β₂ᵗ) / (1 - β₁ᵗ)`;
//! - `w -= m·α / (√v + ε)`;
//! - AMSGrad keeps `v̂ = max(v̂, v)` and uses it in place of `v`.

use ndarray::Zip;
use serde::{Deserialize, Serialize};

use super::{check_range, BaseOptimizerArgs, Optimizer, Range, SlotStates};
use crate::error::ConvlabError;
use crate::tensor::Tensor;

/// Keras `Adam` arguments, with Keras's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdamConfig {
    /// Step size (Keras default 0.001).
    pub learning_rate: f32,
    /// Decay of the moving average of gradients, in [0, 1) (Keras default 0.9).
    pub beta_1: f64,
    /// Decay of the moving average of squared gradients, in [0, 1) (Keras default 0.999).
    pub beta_2: f64,
    /// Added to the root mean square (Keras default 1e-7; PyTorch's 1e-8 differs).
    pub epsilon: f64,
    /// The AMSGrad variant: divide by the largest mean square seen so far (Keras default
    /// `False`).
    pub amsgrad: bool,
    /// The base-optimizer arguments, at their defaults.
    #[serde(flatten)]
    pub base: BaseOptimizerArgs,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            learning_rate: 0.001,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            amsgrad: false,
            base: BaseOptimizerArgs::default(),
        }
    }
}

impl AdamConfig {
    /// Checks every argument; the error names the field and a fix.
    pub fn validate(&self) -> Result<(), ConvlabError> {
        check_range(
            "learning_rate",
            self.learning_rate,
            Range::Positive,
            "0.001",
        )?;
        check_range("beta_1", self.beta_1, Range::Fraction, "0.9")?;
        check_range("beta_2", self.beta_2, Range::Fraction, "0.999")?;
        check_range("epsilon", self.epsilon, Range::Positive, "1e-7")?;
        self.base.validate()
    }
}

/// The `f32` constants of the update, cast as Keras casts them (`1 - β` computed in `f64`).
#[derive(Clone, Copy)]
struct Rule {
    one_minus_beta_1: f32,
    one_minus_beta_2: f32,
    epsilon: f32,
}

impl Rule {
    /// Moves the averages `m` and `v` towards `g` and `g²`.
    #[inline]
    fn update_moments(self, m: &mut f32, v: &mut f32, g: f32) {
        *m += (g - *m) * self.one_minus_beta_1;
        *v += (g * g - *v) * self.one_minus_beta_2;
    }

    /// The step `m·α / (√v + ε)`.
    #[inline]
    fn step(self, alpha: f32, m: f32, v: f32) -> f32 {
        m * alpha / (v.sqrt() + self.epsilon)
    }
}

/// One parameter's state: the two moving averages, and the running maximum for AMSGrad.
struct SlotState {
    m: Tensor,
    v: Tensor,
    v_max: Option<Tensor>,
}

/// The Adam optimizer.
pub struct Adam {
    learning_rate: f32,
    beta_1: f32,
    beta_2: f32,
    amsgrad: bool,
    rule: Rule,
    /// Steps begun so far: the `t` of the bias correction.
    iterations: u64,
    /// The bias-corrected step size `α` of the current step.
    alpha: f32,
    states: SlotStates<SlotState>,
}

impl Adam {
    /// Adam as `config` describes it.
    pub fn new(config: &AdamConfig) -> Self {
        Adam {
            learning_rate: config.learning_rate,
            beta_1: config.beta_1 as f32,
            beta_2: config.beta_2 as f32,
            amsgrad: config.amsgrad,
            rule: Rule {
                one_minus_beta_1: (1.0 - config.beta_1) as f32,
                one_minus_beta_2: (1.0 - config.beta_2) as f32,
                epsilon: config.epsilon as f32,
            },
            iterations: 0,
            alpha: 0.0,
            states: SlotStates::new(),
        }
    }
}

impl Optimizer for Adam {
    /// Advances `t` and computes `α = lr·√(1 - β₂ᵗ) / (1 - β₁ᵗ)` in `f32`, as Keras does.
    fn begin_step(&mut self) {
        self.iterations += 1;
        let t = self.iterations as f32;
        let beta_1_power = self.beta_1.powf(t);
        let beta_2_power = self.beta_2.powf(t);
        self.alpha = self.learning_rate * (1.0 - beta_2_power).sqrt() / (1.0 - beta_1_power);
    }

    fn update(&mut self, slot: usize, value: &mut Tensor, grad: &Tensor) {
        debug_assert!(self.iterations > 0, "call begin_step before update");
        let (rule, alpha, amsgrad) = (self.rule, self.alpha, self.amsgrad);
        let state = self.states.get_or_create(slot, || {
            let zeros = || Tensor::zeros(value.raw_dim());
            SlotState {
                m: zeros(),
                v: zeros(),
                v_max: amsgrad.then(zeros),
            }
        });
        let steps = Zip::from(value)
            .and(grad)
            .and(&mut state.m)
            .and(&mut state.v);
        match &mut state.v_max {
            None => steps.for_each(|w, &g, m, v| {
                rule.update_moments(m, v, g);
                *w -= rule.step(alpha, *m, *v);
            }),
            Some(v_max) => steps.and(v_max).for_each(|w, &g, m, v, v_max| {
                rule.update_moments(m, v, g);
                *v_max = v_max.max(*v);
                *w -= rule.step(alpha, *m, *v_max);
            }),
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

    fn adam(learning_rate: f32, amsgrad: bool) -> OptimizerConfig {
        OptimizerConfig::Adam(AdamConfig {
            learning_rate,
            amsgrad,
            ..AdamConfig::default()
        })
    }

    #[test]
    fn keras_defaults() {
        let config = AdamConfig::default();
        assert_eq!(
            (
                config.learning_rate,
                config.beta_1,
                config.beta_2,
                config.epsilon,
                config.amsgrad
            ),
            (0.001, 0.9, 0.999, 1e-7, false)
        );
    }

    #[test]
    fn matches_keras() {
        // run(keras.optimizers.Adam(learning_rate=0.1))
        assert_three_steps_match_keras(
            adam(0.1, false),
            [0.288948, -0.9785618, 1.8316908, 0.12690276],
        );
    }

    #[test]
    fn default_learning_rate_matches_keras() {
        // run(keras.optimizers.Adam())
        assert_three_steps_match_keras(
            adam(0.001, false),
            [0.4978895, -0.9997856, 1.998317, 0.0012690276],
        );
    }

    #[test]
    fn amsgrad_matches_keras() {
        // run(keras.optimizers.Adam(learning_rate=0.1, amsgrad=True))
        assert_three_steps_match_keras(
            adam(0.1, true),
            [0.288948, -0.9785618, 1.8316908, 0.12686925],
        );
    }
}
