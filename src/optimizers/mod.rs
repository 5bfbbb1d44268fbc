//! Keras optimizers (`SGD`, `RMSprop`, `Adagrad`, `Adam`) with Keras's defaults and Keras's exact
//! update rules, each in its own file: its config (the Keras arguments, as in a `model.json`) and
//! its update, written in the order Keras 3 computes it so that the `f32` results agree.
//!
//! Keras keeps the learning rate in an `f32` variable but the other hyperparameters as Python
//! floats, and computes `1 - beta_2` in double precision before casting to `f32`. The configs keep
//! those hyperparameters in `f64` for that reason: `1.0 - 0.999_f32` is off by 1.3e-5 relative.

use std::fmt::Display;

use serde::{Deserialize, Serialize};

use crate::error::ConvlabError;
use crate::tensor::Tensor;

pub mod adagrad;
pub mod adam;
pub mod rmsprop;
pub mod sgd;

pub use adagrad::{Adagrad, AdagradConfig};
pub use adam::{Adam, AdamConfig};
pub use rmsprop::{RmsProp, RmsPropConfig};
pub use sgd::{Sgd, SgdConfig};

/// A gradient-descent rule that updates weights in place from their gradients.
pub trait Optimizer: Send {
    /// Starts a training step (one batch): advances the iteration counter used by Adam's bias correction.
    fn begin_step(&mut self);

    /// Updates one trainable parameter from its gradient. `slot` is the parameter's fixed index in the model
    /// (0, 1, 2, ... in model order); per-parameter state (momentum, accumulators) is created on first use
    /// of a slot with the parameter's shape and then reused — no allocation in later steps.
    ///
    /// `grad` has the shape of `value`, and a slot keeps its shape for the optimizer's lifetime.
    fn update(&mut self, slot: usize, value: &mut Tensor, grad: &Tensor);

    /// The current learning rate.
    fn learning_rate(&self) -> f32;
}

/// Keras optimizer config, serialised as Keras does: {"class_name": "Adam", "config": {"learning_rate": 0.001, ...}}.
///
/// Other top-level keys of a Keras 3 dump (`module`, `registered_name`) are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "class_name", content = "config")]
pub enum OptimizerConfig {
    /// Keras `SGD`.
    #[serde(rename = "SGD")]
    Sgd(SgdConfig),
    /// Keras `RMSprop`.
    #[serde(rename = "RMSprop")]
    RmsProp(RmsPropConfig),
    /// Keras `Adagrad`.
    #[serde(rename = "Adagrad")]
    Adagrad(AdagradConfig),
    /// Keras `Adam`.
    #[serde(rename = "Adam")]
    Adam(AdamConfig),
}

impl OptimizerConfig {
    /// Keras defaults for a Keras optimizer name as `compile(optimizer='adam')` accepts it (case-insensitive: sgd, rmsprop, adagrad, adam).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sgd" => Some(OptimizerConfig::Sgd(SgdConfig::default())),
            "rmsprop" => Some(OptimizerConfig::RmsProp(RmsPropConfig::default())),
            "adagrad" => Some(OptimizerConfig::Adagrad(AdagradConfig::default())),
            "adam" => Some(OptimizerConfig::Adam(AdamConfig::default())),
            _ => None,
        }
    }

    /// The Keras name (`adam`).
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd(_) => "sgd",
            OptimizerConfig::RmsProp(_) => "rmsprop",
            OptimizerConfig::Adagrad(_) => "adagrad",
            OptimizerConfig::Adam(_) => "adam",
        }
    }

    /// Replaces the learning rate.
    pub fn with_learning_rate(mut self, learning_rate: f32) -> Self {
        *self.learning_rate_mut() = learning_rate;
        self
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f32 {
        match self {
            OptimizerConfig::Sgd(config) => config.learning_rate,
            OptimizerConfig::RmsProp(config) => config.learning_rate,
            OptimizerConfig::Adagrad(config) => config.learning_rate,
            OptimizerConfig::Adam(config) => config.learning_rate,
        }
    }

    fn learning_rate_mut(&mut self) -> &mut f32 {
        match self {
            OptimizerConfig::Sgd(config) => &mut config.learning_rate,
            OptimizerConfig::RmsProp(config) => &mut config.learning_rate,
            OptimizerConfig::Adagrad(config) => &mut config.learning_rate,
            OptimizerConfig::Adam(config) => &mut config.learning_rate,
        }
    }

    /// Checks every hyperparameter (finite, learning_rate > 0, momentum in [0,1), rho/beta in [0,1), epsilon > 0 …) with a
    /// `ConvlabError::Setting` naming the field (e.g. "learning_rate") and a fix ("use e.g. 0.001").
    pub fn validate(&self) -> Result<(), ConvlabError> {
        match self {
            OptimizerConfig::Sgd(config) => config.validate(),
            OptimizerConfig::RmsProp(config) => config.validate(),
            OptimizerConfig::Adagrad(config) => config.validate(),
            OptimizerConfig::Adam(config) => config.validate(),
        }
    }

    /// Tensors of state the optimizer keeps per weight tensor (momentum, moments,
    /// accumulators), for the size guard's memory estimate.
    pub fn slots_per_weight(&self) -> usize {
        match self {
            OptimizerConfig::Sgd(config) => usize::from(config.momentum != 0.0),
            OptimizerConfig::RmsProp(config) => {
                1 + usize::from(config.momentum != 0.0) + usize::from(config.centered)
            }
            OptimizerConfig::Adagrad(_) => 1,
            OptimizerConfig::Adam(config) => 2 + usize::from(config.amsgrad),
        }
    }

    /// The optimizer this config describes (call [`OptimizerConfig::validate`] first).
    pub fn build(&self) -> Box<dyn Optimizer> {
        match self {
            OptimizerConfig::Sgd(config) => Box::new(Sgd::new(config)),
            OptimizerConfig::RmsProp(config) => Box::new(RmsProp::new(config)),
            OptimizerConfig::Adagrad(config) => Box::new(Adagrad::new(config)),
            OptimizerConfig::Adam(config) => Box::new(Adam::new(config)),
        }
    }
}

/// The arguments every Keras optimizer inherits from its base class (`weight_decay`, `clipnorm`,
/// …), read so that a Keras config loads. convlab supports only their defaults; `validate`
/// rejects anything else. `name`, `ema_momentum` and `ema_overwrite_frequency` are ignored: they
/// change nothing while `use_ema` is false.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BaseOptimizerArgs {
    /// Decoupled weight decay (Keras default `None`).
    pub weight_decay: Option<f64>,
    /// Per-tensor gradient norm clipping (Keras default `None`).
    pub clipnorm: Option<f64>,
    /// Global gradient norm clipping (Keras default `None`).
    pub global_clipnorm: Option<f64>,
    /// Per-element gradient clipping (Keras default `None`).
    pub clipvalue: Option<f64>,
    /// Exponential moving average of the weights (Keras default `False`).
    pub use_ema: bool,
    /// Loss scaling for mixed precision (Keras default `None`).
    pub loss_scale_factor: Option<f64>,
    /// Gradient accumulation over several batches (Keras default `None`).
    pub gradient_accumulation_steps: Option<u64>,
    /// Keras 2's learning-rate decay (`0.0` in Keras 2 configs; Keras 3 ignores it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decay: Option<f64>,
    /// Set by Keras 2.11+ configs; `true` marks a legacy optimizer with different update rules.
    /// Never written: Keras 3 refuses a config that has it.
    #[serde(skip_serializing)]
    pub is_legacy_optimizer: Option<bool>,
}

impl BaseOptimizerArgs {
    /// Rejects every argument that is not at its Keras default.
    pub fn validate(&self) -> Result<(), ConvlabError> {
        let not_yet = |field: &str, value: &dyn Display| {
            Err(ConvlabError::setting(
                field,
                format!("{value} is not supported yet; remove {field} (or set it to None)"),
            ))
        };
        let optional_values = [
            ("weight_decay", self.weight_decay),
            ("clipnorm", self.clipnorm),
            ("global_clipnorm", self.global_clipnorm),
            ("clipvalue", self.clipvalue),
            ("loss_scale_factor", self.loss_scale_factor),
        ];
        for (field, value) in optional_values {
            if let Some(value) = value {
                return not_yet(field, &value);
            }
        }
        if let Some(steps) = self.gradient_accumulation_steps {
            return not_yet("gradient_accumulation_steps", &steps);
        }
        if self.use_ema {
            return not_yet("use_ema", &"True");
        }
        if let Some(decay) = self.decay.filter(|&decay| decay != 0.0) {
            return Err(ConvlabError::setting(
                "decay",
                format!("{decay}: learning-rate decay is not supported (Keras 3 ignores this Keras 2 argument); remove decay"),
            ));
        }
        if self.is_legacy_optimizer == Some(true) {
            return Err(ConvlabError::setting(
                "is_legacy_optimizer",
                "a Keras 2 legacy optimizer updates differently and is not supported; recreate the optimizer with Keras 3",
            ));
        }
        Ok(())
    }
}

/// The range a hyperparameter must lie in (it must also be finite).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Range {
    /// Greater than 0 (learning rates, epsilon).
    Positive,
    /// 0 or more (Adagrad's initial accumulator).
    NonNegative,
    /// In [0, 1) (momentum, rho, beta): a decay factor of a moving average.
    Fraction,
}

impl Range {
    fn contains(self, value: f64) -> bool {
        value.is_finite()
            && match self {
                Range::Positive => value > 0.0,
                Range::NonNegative => value >= 0.0,
                Range::Fraction => (0.0..1.0).contains(&value),
            }
    }

    fn describe(self) -> &'static str {
        match self {
            Range::Positive => "a number greater than 0",
            Range::NonNegative => "a number of at least 0",
            Range::Fraction => "a number of at least 0 and below 1",
        }
    }
}

/// Checks that hyperparameter `field` lies in `range`; the error suggests `example`.
pub(crate) fn check_range<T: Copy + Display + Into<f64>>(
    field: &str,
    value: T,
    range: Range,
    example: &str,
) -> Result<(), ConvlabError> {
    if range.contains(value.into()) {
        Ok(())
    } else {
        Err(ConvlabError::setting(
            field,
            format!(
                "must be {}, got {value}; use e.g. {example}",
                range.describe()
            ),
        ))
    }
}

/// Per-parameter optimizer state (momentum, accumulators), indexed by slot and created on the
/// slot's first update, so that later steps allocate nothing.
pub(crate) struct SlotStates<S> {
    states: Vec<Option<S>>,
}

impl<S> SlotStates<S> {
    /// No state yet.
    pub(crate) fn new() -> Self {
        SlotStates { states: Vec::new() }
    }

    /// The state of `slot`, made by `create` on the slot's first use.
    pub(crate) fn get_or_create(&mut self, slot: usize, create: impl FnOnce() -> S) -> &mut S {
        if slot >= self.states.len() {
            self.states.resize_with(slot + 1, || None);
        }
        self.states[slot].get_or_insert_with(create)
    }
}

#[cfg(test)]
pub(crate) mod golden {
    //! The shared run of the golden-value tests. The expected weights come from Keras 3.15
    //! (TensorFlow 2.21 backend) with this script; each test names the optimizer it ran:
    //!
    //! ```python
    //! import numpy as np, keras
    //! w0 = [0.5, -1.0, 2.0, 0.0]
    //! grads = [[0.1, -0.2, 0.3, -0.4], [0.5, 0.25, -0.125, 0.0], [-0.3, 0.6, 0.05, 1.0]]
    //! def run(opt):
    //!     w = keras.Variable(np.array(w0, np.float32))
    //!     for g in grads:
    //!         opt.apply_gradients([(np.array(g, np.float32), w)])
    //!     return ", ".join(str(x) for x in w.numpy())  # shortest round-trip f32
    //! print(run(keras.optimizers.SGD(learning_rate=0.1)))
    //! ```

    use super::*;

    const INITIAL_WEIGHTS: [f32; 4] = [0.5, -1.0, 2.0, 0.0];
    const GRADIENTS: [[f32; 4]; 3] = [
        [0.1, -0.2, 0.3, -0.4],
        [0.5, 0.25, -0.125, 0.0],
        [-0.3, 0.6, 0.05, 1.0],
    ];

    /// Runs the script's three steps with `config` and checks the weights against Keras's within
    /// 1e-6 relative (they agree to the bit today; the tolerance allows another `powf`).
    pub(crate) fn assert_three_steps_match_keras(config: OptimizerConfig, keras: [f32; 4]) {
        config.validate().expect("a valid test config");
        let mut optimizer = config.build();
        let mut weights = ndarray::arr1(&INITIAL_WEIGHTS).into_dyn();
        for gradient in GRADIENTS {
            optimizer.begin_step();
            optimizer.update(0, &mut weights, &ndarray::arr1(&gradient).into_dyn());
        }
        for (index, (&ours, &expected)) in weights.iter().zip(&keras).enumerate() {
            assert!(
                approx::relative_eq!(ours, expected, epsilon = 1e-9, max_relative = 1e-6),
                "weight {index}: convlab {ours} vs Keras {expected} (all: {weights})"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `keras.optimizers.serialize(keras.optimizers.Adam())` in Keras 3.15, via `json.dumps`.
    const KERAS_ADAM: &str = r#"{"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "registered_name": null}"#;

    fn setting_error(config: OptimizerConfig) -> (String, String) {
        match config.validate() {
            Err(ConvlabError::Setting { field, message }) => (field, message),
            other => panic!("expected a Setting error, got {other:?}"),
        }
    }

    #[test]
    fn from_name_is_case_insensitive_and_gives_keras_defaults() {
        assert_eq!(
            OptimizerConfig::from_name("Adam"),
            Some(OptimizerConfig::Adam(AdamConfig::default()))
        );
        assert_eq!(
            OptimizerConfig::from_name("RMSprop"),
            Some(OptimizerConfig::RmsProp(RmsPropConfig::default()))
        );
        assert_eq!(
            OptimizerConfig::from_name("SGD"),
            Some(OptimizerConfig::Sgd(SgdConfig::default()))
        );
        assert_eq!(
            OptimizerConfig::from_name("adagrad"),
            Some(OptimizerConfig::Adagrad(AdagradConfig::default()))
        );
        assert_eq!(OptimizerConfig::from_name("adamw"), None);
    }

    #[test]
    fn names_and_default_learning_rates_are_keras() {
        let expected = [
            ("sgd", 0.01),
            ("rmsprop", 0.001),
            ("adagrad", 0.001),
            ("adam", 0.001),
        ];
        for (name, learning_rate) in expected {
            let config = OptimizerConfig::from_name(name).unwrap();
            assert_eq!(config.name(), name);
            assert_eq!(config.learning_rate(), learning_rate);
            assert_eq!(config.build().learning_rate(), learning_rate);
            assert!(config.validate().is_ok());
        }
    }

    #[test]
    fn with_learning_rate_replaces_only_the_learning_rate() {
        let config = OptimizerConfig::from_name("rmsprop")
            .unwrap()
            .with_learning_rate(0.05);
        let expected = RmsPropConfig {
            learning_rate: 0.05,
            ..RmsPropConfig::default()
        };
        assert_eq!(config, OptimizerConfig::RmsProp(expected));
    }

    #[test]
    fn reads_a_keras_3_adam_config() {
        let config: OptimizerConfig = serde_json::from_str(KERAS_ADAM).unwrap();
        assert_eq!(config, OptimizerConfig::Adam(AdamConfig::default()));
        assert!(config.validate().is_ok());
    }

    #[test]
    fn serde_round_trip_keeps_every_field() {
        let config = OptimizerConfig::Adam(AdamConfig {
            learning_rate: 0.01,
            beta_1: 0.8,
            beta_2: 0.99,
            epsilon: 1e-6,
            amsgrad: true,
            base: BaseOptimizerArgs::default(),
        });
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"class_name": "Adam", "config": {
                "learning_rate": 0.01_f32, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6,
                "amsgrad": true, "weight_decay": null, "clipnorm": null, "global_clipnorm": null,
                "clipvalue": null, "use_ema": false, "loss_scale_factor": null,
                "gradient_accumulation_steps": null}})
        );
        assert_eq!(
            serde_json::from_value::<OptimizerConfig>(json).unwrap(),
            config
        );
    }

    #[test]
    fn missing_fields_take_keras_defaults() {
        let config: OptimizerConfig =
            serde_json::from_str(r#"{"class_name": "SGD", "config": {"momentum": 0.9}}"#).unwrap();
        let expected = SgdConfig {
            momentum: 0.9,
            ..SgdConfig::default()
        };
        assert_eq!(config, OptimizerConfig::Sgd(expected));
        assert_eq!(config.learning_rate(), 0.01);
    }

    #[test]
    fn reads_keras_2_fields_at_their_defaults() {
        let json = r#"{"class_name": "RMSprop", "config": {"name": "RMSprop", "learning_rate": 0.001,
            "decay": 0.0, "is_legacy_optimizer": false, "jit_compile": true, "rho": 0.9,
            "momentum": 0.0, "epsilon": 1e-07, "centered": false}}"#;
        let config: OptimizerConfig = serde_json::from_str(json).unwrap();
        assert!(config.validate().is_ok());
    }

    #[test]
    fn learning_rate_zero_negative_or_nan_is_rejected() {
        let adam = OptimizerConfig::from_name("adam").unwrap();
        assert_eq!(
            setting_error(adam.clone().with_learning_rate(0.0)),
            (
                "learning_rate".to_string(),
                "must be a number greater than 0, got 0; use e.g. 0.001".to_string()
            )
        );
        assert_eq!(
            setting_error(adam.clone().with_learning_rate(-0.5)).1,
            "must be a number greater than 0, got -0.5; use e.g. 0.001"
        );
        assert_eq!(
            setting_error(adam.with_learning_rate(f32::NAN)).1,
            "must be a number greater than 0, got NaN; use e.g. 0.001"
        );
        let sgd = OptimizerConfig::from_name("sgd").unwrap();
        assert_eq!(
            setting_error(sgd.with_learning_rate(f32::INFINITY)).1,
            "must be a number greater than 0, got inf; use e.g. 0.01"
        );
    }

    #[test]
    fn momentum_above_one_is_rejected() {
        let config = OptimizerConfig::Sgd(SgdConfig {
            momentum: 1.5,
            ..SgdConfig::default()
        });
        assert_eq!(
            setting_error(config),
            (
                "momentum".to_string(),
                "must be a number of at least 0 and below 1, got 1.5; use e.g. 0.9 (or 0 for no momentum)".to_string()
            )
        );
    }

    #[test]
    fn other_hyperparameters_outside_their_range_are_rejected() {
        let cases = [
            (
                OptimizerConfig::RmsProp(RmsPropConfig {
                    rho: 1.0,
                    ..RmsPropConfig::default()
                }),
                "rho",
            ),
            (
                OptimizerConfig::RmsProp(RmsPropConfig {
                    momentum: -0.1,
                    ..RmsPropConfig::default()
                }),
                "momentum",
            ),
            (
                OptimizerConfig::Adagrad(AdagradConfig {
                    initial_accumulator_value: -0.1,
                    ..AdagradConfig::default()
                }),
                "initial_accumulator_value",
            ),
            (
                OptimizerConfig::Adagrad(AdagradConfig {
                    epsilon: 0.0,
                    ..AdagradConfig::default()
                }),
                "epsilon",
            ),
            (
                OptimizerConfig::Adam(AdamConfig {
                    beta_1: 1.0,
                    ..AdamConfig::default()
                }),
                "beta_1",
            ),
            (
                OptimizerConfig::Adam(AdamConfig {
                    beta_2: f64::NAN,
                    ..AdamConfig::default()
                }),
                "beta_2",
            ),
        ];
        for (config, field) in cases {
            assert_eq!(setting_error(config).0, field);
        }
    }

    #[test]
    fn unsupported_base_arguments_are_rejected_with_a_fix() {
        let json = r#"{"class_name": "Adam", "config": {"weight_decay": 0.004}}"#;
        let config: OptimizerConfig = serde_json::from_str(json).unwrap();
        assert_eq!(
            setting_error(config),
            (
                "weight_decay".to_string(),
                "0.004 is not supported yet; remove weight_decay (or set it to None)".to_string()
            )
        );
        for field in [
            "clipnorm",
            "clipvalue",
            "global_clipnorm",
            "loss_scale_factor",
        ] {
            let json = format!(r#"{{"class_name": "SGD", "config": {{"{field}": 1.0}}}}"#);
            let config: OptimizerConfig = serde_json::from_str(&json).unwrap();
            assert_eq!(setting_error(config).0, field);
        }
        let json = r#"{"class_name": "SGD", "config": {"use_ema": true}}"#;
        let config: OptimizerConfig = serde_json::from_str(json).unwrap();
        assert_eq!(setting_error(config).0, "use_ema");
        let json = r#"{"class_name": "SGD", "config": {"decay": 0.0001}}"#;
        let config: OptimizerConfig = serde_json::from_str(json).unwrap();
        assert_eq!(setting_error(config).0, "decay");
    }

    #[test]
    fn slots_keep_separate_state() {
        let sgd_momentum = OptimizerConfig::Sgd(SgdConfig {
            momentum: 0.9,
            ..SgdConfig::default()
        });
        let configs = ["rmsprop", "adagrad", "adam"]
            .map(|name| OptimizerConfig::from_name(name).unwrap())
            .into_iter()
            .chain([sgd_momentum]);
        let gradient_a = ndarray::arr1(&[5.0_f32, -5.0]).into_dyn();
        let gradient_b = ndarray::arr1(&[0.1_f32, 0.3]).into_dyn();
        for config in configs {
            let mut shared = config.build();
            let mut first = ndarray::arr1(&[1.0_f32, 1.0]).into_dyn();
            let mut second = first.clone();
            let mut alone = config.build();
            let mut reference = first.clone();
            for _ in 0..3 {
                shared.begin_step();
                shared.update(0, &mut first, &gradient_a);
                shared.update(3, &mut second, &gradient_b);
                alone.begin_step();
                alone.update(0, &mut reference, &gradient_b);
            }
            assert_eq!(second, reference, "{}", config.name());
            assert_ne!(first, reference, "{}", config.name());
        }
    }
}
