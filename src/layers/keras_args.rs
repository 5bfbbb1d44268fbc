//! Readers for Keras argument forms that serde cannot express with a derive: `kernel_size=3` and
//! `kernel_size=(3, 3)` mean the same; `strides=None` means "the pool size".

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum IntOrPair {
    Int(usize),
    Pair(Vec<usize>),
}

fn to_pair<E: serde::de::Error>(value: IntOrPair) -> Result<[usize; 2], E> {
    match value {
        IntOrPair::Int(n) => Ok([n, n]),
        IntOrPair::Pair(v) if v.len() == 2 => Ok([v[0], v[1]]),
        IntOrPair::Pair(v) if v.len() == 1 => Ok([v[0], v[0]]),
        IntOrPair::Pair(v) => Err(E::custom(format!(
            "expected one number or two (height, width), got {} numbers",
            v.len()
        ))),
    }
}

/// Reads `3`, `[3]` or `[3, 3]` as `[height, width]`. Anything else is an error quoting the
/// value (`invalid value: -3, expected …`), which the spec check turns into the field's message.
pub fn pair<'de, D: Deserializer<'de>>(deserializer: D) -> Result<[usize; 2], D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    match IntOrPair::deserialize(&value) {
        Ok(pair) => to_pair(pair),
        Err(_) => Err(serde::de::Error::custom(format!(
            "invalid value: {value}, expected a whole number ≥ 0 or a pair like [3, 3]"
        ))),
    }
}

/// Reads `null` as `None`, else like [`pair`].
pub fn optional_pair<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<[usize; 2]>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    match IntOrPair::deserialize(&value) {
        Ok(pair) => to_pair(pair).map(Some),
        Err(_) => Err(serde::de::Error::custom(format!(
            "invalid value: {value}, expected null, a whole number ≥ 0 or a pair like [2, 2]"
        ))),
    }
}

/// Serde default for `strides` of Conv2D: `(1, 1)`.
pub fn one_one() -> [usize; 2] {
    [1, 1]
}

/// Serde default for `pool_size`: `(2, 2)`.
pub fn two_two() -> [usize; 2] {
    [2, 2]
}

/// Serde default for `kernel_initializer`: Keras's `glorot_uniform`.
pub fn glorot_uniform() -> crate::initializer::Initializer {
    crate::initializer::Initializer::GlorotUniform
}

/// Serde default for `bias_initializer`: Keras's `zeros`.
pub fn zeros() -> crate::initializer::Initializer {
    crate::initializer::Initializer::Zeros
}

/// Serde default for boolean arguments that Keras defaults to `True` (`use_bias`, `center`).
pub fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Args {
        #[serde(deserialize_with = "pair")]
        kernel_size: [usize; 2],
        #[serde(default, deserialize_with = "optional_pair")]
        strides: Option<[usize; 2]>,
    }

    #[test]
    fn reads_int_or_pair() {
        let args: Args = serde_json::from_str(r#"{"kernel_size": 3}"#).unwrap();
        assert_eq!((args.kernel_size, args.strides), ([3, 3], None));
        let args: Args =
            serde_json::from_str(r#"{"kernel_size": [5, 3], "strides": [2, 1]}"#).unwrap();
        assert_eq!((args.kernel_size, args.strides), ([5, 3], Some([2, 1])));
        let args: Args = serde_json::from_str(r#"{"kernel_size": [3], "strides": null}"#).unwrap();
        assert_eq!((args.kernel_size, args.strides), ([3, 3], None));
    }

    #[test]
    fn rejects_three_numbers_and_negatives() {
        assert!(serde_json::from_str::<Args>(r#"{"kernel_size": [3, 3, 3]}"#).is_err());
        assert!(serde_json::from_str::<Args>(r#"{"kernel_size": -3}"#).is_err());
    }
}
