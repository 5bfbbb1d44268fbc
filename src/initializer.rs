//! Keras weight initializers: `glorot_uniform` (the Keras default for kernels), `he_normal`,
//! `he_uniform`, `random_normal`, `zeros`, `ones`.
//!
//! Offered so a learner can reproduce vanishing gradients (sigmoid with a poor initialisation) and
//! see why Glorot/He scaling exists. Fans follow Keras: for a kernel `[kh, kw, in, out]`,
//! fan_in = kh·kw·in and fan_out = kh·kw·out; for a Dense kernel `[in, out]`, fan_in = in.

use ndarray::IxDyn;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::rng::Rng;
use crate::tensor::Tensor;

/// A Keras initializer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Initializer {
    /// Uniform in ±sqrt(6 / (fan_in + fan_out)).
    GlorotUniform,
    /// Normal with stddev sqrt(2 / (fan_in + fan_out)), truncated at two standard deviations.
    GlorotNormal,
    /// Normal with stddev sqrt(2 / fan_in), truncated at two standard deviations (Keras rescales
    /// the stddev by 1/0.8796 so the truncated distribution keeps the intended variance).
    HeNormal,
    /// Uniform in ±sqrt(6 / fan_in).
    HeUniform,
    /// Normal with the given mean and stddev (Keras default 0.0, 0.05).
    RandomNormal {
        /// Mean of the distribution.
        mean: f32,
        /// Standard deviation.
        stddev: f32,
    },
    /// All zeros (Keras default for biases).
    Zeros,
    /// All ones (BatchNormalization gamma and moving variance).
    Ones,
}

/// Keras's correction so that a normal truncated at ±2σ has variance σ².
const TRUNCATED_NORMAL_STDDEV_CORRECTION: f32 = 0.879_625_7;

impl Initializer {
    /// The Keras name (`glorot_uniform`).
    pub fn name(self) -> &'static str {
        match self {
            Initializer::GlorotUniform => "glorot_uniform",
            Initializer::GlorotNormal => "glorot_normal",
            Initializer::HeNormal => "he_normal",
            Initializer::HeUniform => "he_uniform",
            Initializer::RandomNormal { .. } => "random_normal",
            Initializer::Zeros => "zeros",
            Initializer::Ones => "ones",
        }
    }

    /// The initializer with Keras name or class name `name` (`he_normal`, `HeNormal`), with Keras
    /// defaults for its arguments.
    pub fn from_name(name: &str) -> Option<Initializer> {
        let snake: String = name
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let lower = c.to_ascii_lowercase();
                if c.is_ascii_uppercase() && i > 0 {
                    vec!['_', lower]
                } else {
                    vec![lower]
                }
            })
            .collect();
        Some(match snake.as_str() {
            "glorot_uniform" => Initializer::GlorotUniform,
            "glorot_normal" => Initializer::GlorotNormal,
            "he_normal" => Initializer::HeNormal,
            "he_uniform" => Initializer::HeUniform,
            "random_normal" => Initializer::RandomNormal {
                mean: 0.0,
                stddev: 0.05,
            },
            "zeros" => Initializer::Zeros,
            "ones" => Initializer::Ones,
            _ => return None,
        })
    }

    /// A new tensor of `shape` drawn from this initializer.
    pub fn initialize(self, shape: &[usize], rng: &mut Rng) -> Tensor {
        let (fan_in, fan_out) = fans(shape);
        let mut values = Tensor::zeros(IxDyn(shape));
        let truncated = |rng: &mut Rng, stddev: f32| loop {
            let z = rng.normal();
            if z.abs() <= 2.0 {
                return z * stddev / TRUNCATED_NORMAL_STDDEV_CORRECTION;
            }
        };
        match self {
            Initializer::GlorotUniform => {
                let limit = (6.0 / (fan_in + fan_out) as f32).sqrt();
                values.mapv_inplace(|_| rng.uniform_range(-limit, limit));
            }
            Initializer::GlorotNormal => {
                let stddev = (2.0 / (fan_in + fan_out) as f32).sqrt();
                values.mapv_inplace(|_| truncated(rng, stddev));
            }
            Initializer::HeNormal => {
                let stddev = (2.0 / fan_in as f32).sqrt();
                values.mapv_inplace(|_| truncated(rng, stddev));
            }
            Initializer::HeUniform => {
                let limit = (6.0 / fan_in as f32).sqrt();
                values.mapv_inplace(|_| rng.uniform_range(-limit, limit));
            }
            Initializer::RandomNormal { mean, stddev } => {
                values.mapv_inplace(|_| mean + stddev * rng.normal());
            }
            Initializer::Zeros => {}
            Initializer::Ones => values.fill(1.0),
        }
        values
    }
}

/// Keras's `(fan_in, fan_out)` for a weight of `shape`: the last axis is the output, the one
/// before it the input, and any leading axes form the receptive field.
pub fn fans(shape: &[usize]) -> (usize, usize) {
    match shape {
        [] => (1, 1),
        [n] => (*n, *n),
        _ => {
            let receptive: usize = shape[..shape.len() - 2].iter().product();
            (
                shape[shape.len() - 2] * receptive,
                shape[shape.len() - 1] * receptive,
            )
        }
    }
}

impl Serialize for Initializer {
    /// Written as Keras writes it: `{"class_name": "GlorotUniform", "config": {"seed": null}}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (class_name, config) = match *self {
            Initializer::GlorotUniform => ("GlorotUniform", serde_json::json!({"seed": null})),
            Initializer::GlorotNormal => ("GlorotNormal", serde_json::json!({"seed": null})),
            Initializer::HeNormal => ("HeNormal", serde_json::json!({"seed": null})),
            Initializer::HeUniform => ("HeUniform", serde_json::json!({"seed": null})),
            Initializer::RandomNormal { mean, stddev } => (
                "RandomNormal",
                serde_json::json!({"mean": mean, "stddev": stddev, "seed": null}),
            ),
            Initializer::Zeros => ("Zeros", serde_json::json!({})),
            Initializer::Ones => ("Ones", serde_json::json!({})),
        };
        serde_json::json!({"class_name": class_name, "config": config}).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Initializer {
    /// Read from a Keras name (`"he_normal"`) or a Keras object
    /// (`{"class_name": "RandomNormal", "config": {"mean": 0, "stddev": 0.05}}`), including the
    /// `VarianceScaling` form TensorFlow.js writes for Glorot and He.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let unknown = || {
            D::Error::custom(format!(
                "unknown initializer {value}; use one of glorot_uniform, glorot_normal, he_normal, he_uniform, random_normal, zeros, ones"
            ))
        };
        match &value {
            serde_json::Value::String(name) => Initializer::from_name(name).ok_or_else(unknown),
            serde_json::Value::Object(object) => {
                let class_name = object
                    .get("class_name")
                    .and_then(|c| c.as_str())
                    .ok_or_else(unknown)?;
                let config = object.get("config").cloned().unwrap_or_default();
                let number = |key: &str, default: f32| {
                    config
                        .get(key)
                        .and_then(|v| v.as_f64())
                        .map_or(default, |v| v as f32)
                };
                match class_name {
                    "RandomNormal" => Ok(Initializer::RandomNormal {
                        mean: number("mean", 0.0),
                        stddev: number("stddev", 0.05),
                    }),
                    "VarianceScaling" => {
                        let mode = config
                            .get("mode")
                            .and_then(|m| m.as_str())
                            .unwrap_or("fan_in");
                        let distribution = config
                            .get("distribution")
                            .and_then(|d| d.as_str())
                            .unwrap_or("truncated_normal");
                        let scale = number("scale", 1.0);
                        match (scale, mode, distribution) {
                            (1.0, "fan_avg", "uniform") => Ok(Initializer::GlorotUniform),
                            (1.0, "fan_avg", "normal" | "truncated_normal") => {
                                Ok(Initializer::GlorotNormal)
                            }
                            (2.0, "fan_in", "normal" | "truncated_normal") => {
                                Ok(Initializer::HeNormal)
                            }
                            (2.0, "fan_in", "uniform") => Ok(Initializer::HeUniform),
                            _ => Err(unknown()),
                        }
                    }
                    other => Initializer::from_name(other).ok_or_else(unknown),
                }
            }
            _ => Err(unknown()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stddev(values: &Tensor) -> f32 {
        let mean = values.mean().unwrap();
        (values.mapv(|v| (v - mean).powi(2)).mean().unwrap()).sqrt()
    }

    #[test]
    fn keras_fans_for_conv_and_dense_kernels() {
        assert_eq!(fans(&[3, 3, 1, 32]), (9, 288));
        assert_eq!(fans(&[784, 512]), (784, 512));
    }

    #[test]
    fn glorot_uniform_stays_within_its_limit_and_has_its_variance() {
        let values = Initializer::GlorotUniform.initialize(&[300, 200], &mut Rng::new(1));
        let limit = (6.0f32 / 500.0).sqrt();
        assert!(values.iter().all(|v| v.abs() <= limit));
        // Var of U(−a, a) is a²/3.
        assert!((stddev(&values) - limit / 3f32.sqrt()).abs() < 0.002);
    }

    #[test]
    fn he_normal_has_stddev_sqrt_2_over_fan_in() {
        let values = Initializer::HeNormal.initialize(&[3, 3, 32, 64], &mut Rng::new(2));
        let expected = (2.0f32 / 288.0).sqrt();
        assert!(
            (stddev(&values) - expected).abs() / expected < 0.03,
            "{}",
            stddev(&values)
        );
        assert!(values
            .iter()
            .all(|v| v.abs() <= 2.0 * expected / TRUNCATED_NORMAL_STDDEV_CORRECTION));
    }

    #[test]
    fn random_normal_defaults_to_stddev_0_05() {
        let values = Initializer::from_name("random_normal")
            .unwrap()
            .initialize(&[100, 100], &mut Rng::new(3));
        assert!((stddev(&values) - 0.05).abs() < 0.002);
    }

    #[test]
    fn zeros_and_ones() {
        assert!(Initializer::Zeros
            .initialize(&[4], &mut Rng::new(0))
            .iter()
            .all(|&v| v == 0.0));
        assert!(Initializer::Ones
            .initialize(&[4], &mut Rng::new(0))
            .iter()
            .all(|&v| v == 1.0));
    }

    #[test]
    fn reads_keras_and_tfjs_forms() {
        let parse = |json: &str| serde_json::from_str::<Initializer>(json).unwrap();
        assert_eq!(parse(r#""he_uniform""#), Initializer::HeUniform);
        assert_eq!(
            parse(r#"{"class_name":"GlorotUniform","config":{"seed":null}}"#),
            Initializer::GlorotUniform
        );
        assert_eq!(
            parse(
                r#"{"class_name":"VarianceScaling","config":{"scale":2,"mode":"fan_in","distribution":"normal","seed":null}}"#
            ),
            Initializer::HeNormal
        );
        let error = serde_json::from_str::<Initializer>(r#""lecun_magic""#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown initializer \"lecun_magic\""),
            "{error}"
        );
    }

    #[test]
    fn round_trips_through_keras_json() {
        for init in [
            Initializer::GlorotUniform,
            Initializer::HeNormal,
            Initializer::RandomNormal {
                mean: 0.0,
                stddev: 0.05,
            },
        ] {
            let json = serde_json::to_string(&init).unwrap();
            assert_eq!(serde_json::from_str::<Initializer>(&json).unwrap(), init);
        }
    }
}
