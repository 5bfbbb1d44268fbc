//! Model specs built from fuzzer bytes through `arbitrary`: layers of the known Keras classes (now
//! and then an unknown one) with arguments drawn from the keys and values a learner or a saved
//! model could write, including the edge cases (0, negative, huge, NaN, wrong types). The bytes
//! steer a structure rather than JSON text, so most inputs reach shape inference and building.

use arbitrary::Arbitrary;
use convlab::spec::{LayerSpec, ModelSpec, LAYER_CLASSES};
use serde_json::{json, Map, Value};

/// The most layers a generated model has.
const MAX_LAYERS: usize = 10;

/// Config keys convlab reads, ignores or rejects.
const KEYS: [&str; 30] = [
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "activation",
    "use_bias",
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "units",
    "rate",
    "pool_size",
    "momentum",
    "epsilon",
    "center",
    "scale",
    "trainable",
    "name",
    "axis",
    "data_format",
    "dilation_rate",
    "groups",
    "dtype",
    "seed",
    "noise_shape",
    "keepdims",
    "batch_input_shape",
    "input_shape",
    "batch_shape",
    "bias_regularizer",
];

/// String values that mean something to some layer.
const WORDS: [&str; 18] = [
    "same",
    "valid",
    "relu",
    "softmax",
    "sigmoid",
    "tanh",
    "linear",
    "he_normal",
    "he_uniform",
    "glorot_uniform",
    "glorot_normal",
    "zeros",
    "ones",
    "random_normal",
    "channels_last",
    "channels_first",
    "float32",
    "",
];

/// A generated Sequential model.
#[derive(Arbitrary, Debug)]
pub struct GeneratedModel {
    /// How the first layer declares the input.
    input: InputDeclaration,
    /// The input's dimensions.
    dims: Vec<Dimension>,
    /// The layers (only the first [`MAX_LAYERS`] are used).
    layers: Vec<GeneratedLayer>,
    /// Whether each layer gets the arguments its class requires when the fuzzer left them out.
    fill_required: bool,
}

/// Where the input shape is written.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum InputDeclaration {
    /// A leading `InputLayer` with `batch_input_shape`.
    InputLayer,
    /// `batch_input_shape` on the first layer.
    BatchInputShape,
    /// Keras 3's `batch_shape` on the first layer.
    BatchShape,
    /// `input_shape` on the first layer.
    InputShape,
    /// Nowhere.
    Missing,
}

/// One input dimension.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Dimension {
    /// 1 to 32.
    Small(u8),
    /// Zero.
    Zero,
    /// Any 32-bit size.
    Huge(u32),
    /// An unknown size (`None` in Keras).
    Null,
}

/// A generated layer entry.
#[derive(Arbitrary, Debug)]
struct GeneratedLayer {
    class_name: ClassName,
    arguments: Vec<(Key, GeneratedValue)>,
}

/// A layer class.
#[derive(Arbitrary, Debug)]
enum ClassName {
    /// One of [`LAYER_CLASSES`] (by index, modulo).
    Known(u8),
    /// Any text.
    Other(String),
}

/// A config key.
#[derive(Arbitrary, Debug)]
enum Key {
    /// One of [`KEYS`] (by index, modulo).
    Known(u8),
    /// Any text.
    Other(String),
}

/// A config value.
#[derive(Arbitrary, Debug)]
enum GeneratedValue {
    Small(i8),
    Int(i64),
    Float(f64),
    Pair(i8, i8),
    List(Vec<i16>),
    Word(u8),
    Text(String),
    Bool(bool),
    Null,
    Regularizer(f32, f32),
    Initializer(u8, f32, f32),
    Nested(Vec<(String, i8)>),
}

impl GeneratedValue {
    fn to_json(&self) -> Value {
        match self {
            GeneratedValue::Small(n) => json!(n),
            GeneratedValue::Int(n) => json!(n),
            GeneratedValue::Float(x) => json!(x),
            GeneratedValue::Pair(a, b) => json!([a, b]),
            GeneratedValue::List(items) => json!(items),
            GeneratedValue::Word(i) => json!(WORDS[usize::from(*i) % WORDS.len()]),
            GeneratedValue::Text(text) => json!(text),
            GeneratedValue::Bool(b) => json!(b),
            GeneratedValue::Null => Value::Null,
            GeneratedValue::Regularizer(l1, l2) => {
                json!({"class_name": "L1L2", "config": {"l1": l1, "l2": l2}})
            }
            GeneratedValue::Initializer(i, mean, stddev) => {
                let class_name =
                    ["RandomNormal", "HeNormal", "Zeros", "Orthogonal"][usize::from(*i) % 4];
                json!({"class_name": class_name, "config": {"mean": mean, "stddev": stddev}})
            }
            GeneratedValue::Nested(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, value)| (key.clone(), json!(value)))
                    .collect(),
            ),
        }
    }
}

impl GeneratedModel {
    /// The spec this structure describes.
    pub fn to_spec(&self) -> ModelSpec {
        let shape: Vec<Value> = self
            .dims
            .iter()
            .take(5)
            .map(|dim| match *dim {
                Dimension::Small(n) => json!(1 + n % 32),
                Dimension::Zero => json!(0),
                Dimension::Huge(n) => json!(n),
                Dimension::Null => Value::Null,
            })
            .collect();
        let batch_shape = || {
            let mut batch = vec![Value::Null];
            batch.extend(shape.iter().cloned());
            Value::Array(batch)
        };
        let mut layers: Vec<LayerSpec> = self
            .layers
            .iter()
            .take(MAX_LAYERS)
            .map(|layer| layer.to_spec(self.fill_required))
            .collect();
        let first_key = match self.input {
            InputDeclaration::InputLayer => {
                layers.insert(
                    0,
                    LayerSpec::new("InputLayer", json!({"batch_input_shape": batch_shape()})),
                );
                None
            }
            InputDeclaration::BatchInputShape => Some(("batch_input_shape", batch_shape())),
            InputDeclaration::BatchShape => Some(("batch_shape", batch_shape())),
            InputDeclaration::InputShape => Some(("input_shape", Value::Array(shape.clone()))),
            InputDeclaration::Missing => None,
        };
        if let (Some((key, value)), Some(first)) = (first_key, layers.first_mut()) {
            first.config.insert(key.to_string(), value);
        }
        ModelSpec::sequential(layers)
    }
}

impl GeneratedLayer {
    fn to_spec(&self, fill_required: bool) -> LayerSpec {
        let class_name = match &self.class_name {
            ClassName::Known(i) => LAYER_CLASSES[usize::from(*i) % LAYER_CLASSES.len()].to_string(),
            ClassName::Other(text) => text.clone(),
        };
        let mut config: Map<String, Value> = self
            .arguments
            .iter()
            .map(|(key, value)| {
                let key = match key {
                    Key::Known(i) => KEYS[usize::from(*i) % KEYS.len()].to_string(),
                    Key::Other(text) => text.clone(),
                };
                (key, value.to_json())
            })
            .collect();
        if fill_required {
            let required: &[(&str, Value)] = match class_name.as_str() {
                "Conv2D" => &[("filters", json!(4)), ("kernel_size", json!(3))],
                "Dense" => &[("units", json!(4))],
                "Dropout" => &[("rate", json!(0.5))],
                "Activation" => &[("activation", json!("relu"))],
                _ => &[],
            };
            for (key, value) in required {
                config
                    .entry(key.to_string())
                    .or_insert_with(|| value.clone());
            }
        }
        LayerSpec { class_name, config }
    }
}
