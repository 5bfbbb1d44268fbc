//! Keras kernel regularizers `L1`, `L2` and `L1L2`: a penalty added to the loss, as Keras adds
//! `layer.losses` to the compiled loss (not divided by the batch size).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::tensor::Tensor;

/// Penalty `l1·Σ|w| + l2·Σw²` on a kernel. The default (both zero) is "no regularizer".
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Regularizer {
    /// L1 factor.
    pub l1: f32,
    /// L2 factor (Keras's `l2(0.01)` means `0.01·Σw²`, gradient `2·0.01·w`).
    pub l2: f32,
}

impl Regularizer {
    /// Whether this regularizer adds nothing.
    pub fn is_none(&self) -> bool {
        self.l1 == 0.0 && self.l2 == 0.0
    }

    /// The penalty this regularizer adds to the loss for `weights`.
    pub fn penalty(&self, weights: &Tensor) -> f32 {
        if self.is_none() {
            return 0.0;
        }
        weights
            .iter()
            .map(|&w| self.l1 * w.abs() + self.l2 * w * w)
            .sum()
    }

    /// Adds the penalty's gradient with respect to `weights` to `grad`.
    pub fn add_gradient(&self, weights: &Tensor, grad: &mut Tensor) {
        if self.is_none() {
            return;
        }
        let (l1, l2) = (self.l1, self.l2);
        grad.zip_mut_with(weights, |g, &w| *g += l1 * sign(w) + 2.0 * l2 * w);
    }
}

/// The sign as TensorFlow defines it for the L1 gradient: 0 at 0.
fn sign(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

impl Serialize for Regularizer {
    /// `null` when none, else Keras's `{"class_name": "L1L2", "config": {"l1": …, "l2": …}}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_none() {
            return serializer.serialize_none();
        }
        serde_json::json!({"class_name": "L1L2", "config": {"l1": self.l1, "l2": self.l2}})
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Regularizer {
    /// Reads `null`, `"l1"`/`"l2"` (Keras default factor 0.01), or a Keras object of class
    /// `L1`, `L2` or `L1L2`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let factor = |config: &serde_json::Value, key: &str| {
            config.get(key).and_then(|v| v.as_f64()).unwrap_or(0.0) as f32
        };
        let regularizer = match &value {
            serde_json::Value::Null => Regularizer::default(),
            serde_json::Value::String(name) => match name.as_str() {
                "l1" => Regularizer { l1: 0.01, l2: 0.0 },
                "l2" => Regularizer { l1: 0.0, l2: 0.01 },
                "l1_l2" => Regularizer { l1: 0.01, l2: 0.01 },
                _ => {
                    return Err(D::Error::custom(format!(
                        "unknown regularizer \"{name}\"; use l1, l2 or l1_l2"
                    )))
                }
            },
            serde_json::Value::Object(object) => {
                let config = object.get("config").cloned().unwrap_or_default();
                match object.get("class_name").and_then(|c| c.as_str()) {
                    Some("L1") => Regularizer {
                        l1: factor(&config, "l1"),
                        l2: 0.0,
                    },
                    Some("L2") => Regularizer {
                        l1: 0.0,
                        l2: factor(&config, "l2"),
                    },
                    Some("L1L2") => Regularizer {
                        l1: factor(&config, "l1"),
                        l2: factor(&config, "l2"),
                    },
                    _ => {
                        return Err(D::Error::custom(format!(
                            "unknown regularizer {value}; use L1, L2 or L1L2"
                        )))
                    }
                }
            }
            _ => {
                return Err(D::Error::custom(format!(
                    "unknown regularizer {value}; use L1, L2 or L1L2"
                )))
            }
        };
        if !(regularizer.l1.is_finite()
            && regularizer.l2.is_finite()
            && regularizer.l1 >= 0.0
            && regularizer.l2 >= 0.0)
        {
            return Err(D::Error::custom(
                "regularizer factors must be finite and ≥ 0, e.g. 0.001",
            ));
        }
        Ok(regularizer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn penalty_and_gradient_match_the_keras_definition() {
        let weights = array![1.0f32, -2.0, 0.0].into_dyn();
        let regularizer = Regularizer { l1: 0.1, l2: 0.01 };
        // 0.1·(1 + 2 + 0) + 0.01·(1 + 4 + 0) = 0.35
        assert!((regularizer.penalty(&weights) - 0.35).abs() < 1e-6);
        let mut grad = Tensor::zeros(weights.raw_dim());
        regularizer.add_gradient(&weights, &mut grad);
        assert_eq!(grad, array![0.1 + 0.02, -0.1 - 0.04, 0.0].into_dyn());
    }

    #[test]
    fn reads_keras_forms() {
        let parse = |json: &str| serde_json::from_str::<Regularizer>(json).unwrap();
        assert!(parse("null").is_none());
        assert_eq!(parse(r#""l2""#), Regularizer { l1: 0.0, l2: 0.01 });
        assert_eq!(
            parse(r#"{"class_name":"L2","config":{"l2":0.001}}"#),
            Regularizer { l1: 0.0, l2: 0.001 }
        );
        assert_eq!(
            parse(r#"{"class_name":"L1L2","config":{"l1":0.5,"l2":0.25}}"#),
            Regularizer { l1: 0.5, l2: 0.25 }
        );
        assert!(
            serde_json::from_str::<Regularizer>(r#"{"class_name":"L2","config":{"l2":-1}}"#)
                .is_err()
        );
    }
}
