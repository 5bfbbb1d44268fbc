//! The model spec: a Keras/TensorFlow.js `modelTopology` (`{"class_name": "Sequential",
//! "config": {"layers": [...]}}`) parsed into typed layer configs, with shape inference.
//!
//! [`Architecture::from_spec`] is the single place where a spec is checked. It returns either
//! every layer's input and output shape, parameter count and output-size arithmetic (what the page
//! shows while a learner edits), or the first error, naming the layer, the field and the fix.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{ConvlabError, FieldError, Result};
use crate::layers::activation_layer::ActivationConfig;
use crate::layers::batch_normalization::BatchNormalizationConfig;
use crate::layers::conv2d::Conv2dConfig;
use crate::layers::dense::DenseConfig;
use crate::layers::dropout::DropoutConfig;
use crate::layers::flatten::FlattenConfig;
use crate::layers::global_average_pooling2d::GlobalAveragePooling2dConfig;
use crate::layers::pooling2d::{PoolKind, Pooling2dConfig};
use crate::layers::{LayerConfig, ParamCount};
use crate::padding::OutputSize;
use crate::summary::format_shape;

/// The largest model convlab agrees to build (parameters), so a typo like `units=5000000` is an
/// error message and not an out-of-memory crash.
pub const MAX_PARAMS: usize = 100_000_000;

/// The most values the input or any layer's output may hold per image (as many as
/// [`MAX_PARAMS`]), so that a huge input shape or a layer with millions of filters is an error
/// message and not an arithmetic overflow or an out-of-memory crash.
pub const MAX_VALUES_PER_IMAGE: usize = MAX_PARAMS;

/// A Keras `modelTopology` of a Sequential model, as in a TensorFlow.js `model.json` or Keras's
/// `model.to_json()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Always `Sequential`.
    pub class_name: String,
    /// The model's name and layers.
    pub config: SequentialSpec,
}

/// The `config` of a Sequential model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SequentialSpec {
    /// The model's name (`sequential`), shown in the summary's first line.
    #[serde(default = "default_model_name")]
    pub name: String,
    /// The layers in order; the first carries the input shape (or is an `InputLayer`).
    pub layers: Vec<LayerSpec>,
}

fn default_model_name() -> String {
    "sequential".to_string()
}

/// One layer entry: its Keras class name and its Keras config, kept as JSON until checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayerSpec {
    /// Keras class name (`Conv2D`).
    pub class_name: String,
    /// Keras config (`{"filters": 32, "kernel_size": [3, 3], ...}`).
    #[serde(default)]
    pub config: Map<String, Value>,
}

impl LayerSpec {
    /// A layer entry from a class name and a JSON object of Keras arguments.
    pub fn new(class_name: &str, config: Value) -> Self {
        let config = match config {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        LayerSpec {
            class_name: class_name.to_string(),
            config,
        }
    }
}

impl ModelSpec {
    /// A Sequential spec named `sequential` with these layers.
    pub fn sequential(layers: Vec<LayerSpec>) -> Self {
        ModelSpec {
            class_name: "Sequential".to_string(),
            config: SequentialSpec {
                name: default_model_name(),
                layers,
            },
        }
    }

    /// Parses a spec from JSON text: a `modelTopology` object, or a whole TensorFlow.js
    /// `model.json` (whose `modelTopology` is used).
    pub fn from_json(text: &str) -> Result<ModelSpec> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ConvlabError::Model(format!("the model JSON is not valid JSON ({e})")))?;
        ModelSpec::from_value(value)
    }

    /// Like [`ModelSpec::from_json`], from an already parsed JSON value.
    pub fn from_value(value: Value) -> Result<ModelSpec> {
        let topology = match value.get("modelTopology") {
            Some(topology) => topology.get("model_config").unwrap_or(topology).clone(),
            None => value,
        };
        let class_name = topology
            .get("class_name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if class_name != "Sequential" {
            return Err(ConvlabError::Model(format!(
                "only Sequential models are supported, but this is a{} '{class_name}' model; rebuild it with keras.Sequential([...])",
                if class_name.starts_with(['A', 'E', 'I', 'O', 'U']) { "n" } else { "" }
            )));
        }
        serde_path_to_error::deserialize(topology).map_err(|e| {
            ConvlabError::Model(format!(
                "the model spec is malformed at '{}': {}",
                e.path(),
                e.inner()
            ))
        })
    }

    /// The spec as JSON text (compact).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a spec always serialises")
    }
}

/// A checked layer config, one variant per supported Keras class.
#[derive(Clone, Debug, PartialEq)]
pub enum LayerKind {
    /// `Conv2D`.
    Conv2D(Conv2dConfig),
    /// `MaxPooling2D` / `AveragePooling2D` (the kind is inside the config).
    Pooling2D(Pooling2dConfig),
    /// `GlobalAveragePooling2D`.
    GlobalAveragePooling2D(GlobalAveragePooling2dConfig),
    /// `Flatten`.
    Flatten(FlattenConfig),
    /// `Dense`.
    Dense(DenseConfig),
    /// `Dropout`.
    Dropout(DropoutConfig),
    /// `BatchNormalization`.
    BatchNormalization(BatchNormalizationConfig),
    /// `Activation`.
    Activation(ActivationConfig),
}

/// The Keras class names convlab builds, in the order the page offers them.
pub const LAYER_CLASSES: [&str; 9] = [
    "Conv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "Flatten",
    "Dense",
    "Dropout",
    "BatchNormalization",
    "Activation",
];

impl LayerKind {
    /// The config behind the variant, for shape inference and building.
    pub fn config(&self) -> &dyn LayerConfig {
        match self {
            LayerKind::Conv2D(c) => c,
            LayerKind::Pooling2D(c) => c,
            LayerKind::GlobalAveragePooling2D(c) => c,
            LayerKind::Flatten(c) => c,
            LayerKind::Dense(c) => c,
            LayerKind::Dropout(c) => c,
            LayerKind::BatchNormalization(c) => c,
            LayerKind::Activation(c) => c,
        }
    }

    /// The Keras config as JSON (only the fields convlab models), for saving the model.
    pub fn to_config(&self) -> Map<String, Value> {
        let value = match self {
            LayerKind::Conv2D(c) => serde_json::to_value(c),
            LayerKind::Pooling2D(c) => serde_json::to_value(c),
            LayerKind::GlobalAveragePooling2D(c) => serde_json::to_value(c),
            LayerKind::Flatten(c) => serde_json::to_value(c),
            LayerKind::Dense(c) => serde_json::to_value(c),
            LayerKind::Dropout(c) => serde_json::to_value(c),
            LayerKind::BatchNormalization(c) => serde_json::to_value(c),
            LayerKind::Activation(c) => serde_json::to_value(c),
        };
        match value.expect("layer configs always serialise") {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// Parses the Keras config of a layer of class `class_name`.
    fn parse(
        class_name: &str,
        config: &Map<String, Value>,
    ) -> std::result::Result<LayerKind, FieldError> {
        fn typed<T: serde::de::DeserializeOwned>(
            config: &Map<String, Value>,
        ) -> std::result::Result<T, FieldError> {
            serde_path_to_error::deserialize(Value::Object(config.clone())).map_err(|e| {
                let message = e.inner().to_string();
                let path = e.path().to_string();
                match message.strip_prefix("missing field `") {
                    Some(rest) => {
                        let field = rest.trim_end_matches('`').to_string();
                        FieldError::new(field, "is required but missing")
                    }
                    None => FieldError::new(path.clone(), readable_serde_message(&path, &message)),
                }
            })
        }
        let pooling = |kind| {
            typed::<Pooling2dConfig>(config).map(|mut c| {
                c.kind = kind;
                LayerKind::Pooling2D(c)
            })
        };
        match class_name {
            "Conv2D" => typed(config).map(LayerKind::Conv2D),
            "MaxPooling2D" => pooling(PoolKind::Max),
            "AveragePooling2D" => pooling(PoolKind::Average),
            "GlobalAveragePooling2D" => typed(config).map(LayerKind::GlobalAveragePooling2D),
            "Flatten" => typed(config).map(LayerKind::Flatten),
            "Dense" => typed(config).map(LayerKind::Dense),
            "Dropout" => typed(config).map(LayerKind::Dropout),
            "BatchNormalization" => typed(config).map(LayerKind::BatchNormalization),
            "Activation" => typed(config).map(LayerKind::Activation),
            _ => unreachable!("class names are checked before parsing"),
        }
    }
}

/// The builder's number fields: the values each allows and an example, for messages about a
/// value that is not a number of the right kind.
const NUMBER_FIELDS: [(&str, &str, &str); 6] = [
    ("filters", "a whole number of at least 1", "32"),
    ("units", "a whole number of at least 1", "128"),
    (
        "kernel_size",
        "a whole number of at least 1 (or a pair such as (3, 3))",
        "3",
    ),
    (
        "pool_size",
        "a whole number of at least 1 (or a pair such as (2, 2))",
        "2",
    ),
    (
        "strides",
        "a whole number of at least 1 (or a pair such as (1, 1))",
        "1",
    ),
    ("rate", "a number of at least 0 and below 1", "0.25"),
];

/// Turns serde's wording into a learner's. For a number field of the builder: the value given,
/// the values allowed and an example (`'abc' is not allowed; use a whole number of at least 1,
/// e.g. 32`); otherwise `expected usize` → "expected a whole number ≥ 0".
fn readable_serde_message(path: &str, message: &str) -> String {
    let field = path.split(['.', '[']).next().unwrap_or(path);
    let given = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|rest| rest.split(", expected").next());
    if let (Some((_, allowed, example)), Some(given)) = (
        NUMBER_FIELDS.iter().find(|(name, _, _)| *name == field),
        given,
    ) {
        let given = match given {
            "null" => "an empty box".to_string(),
            other => other
                .trim_start_matches("string ")
                .trim_start_matches("integer ")
                .trim_start_matches("floating point ")
                .replace('`', "")
                .replace('"', "'"),
        };
        return format!("{given} is not allowed; use {allowed}, e.g. {example}");
    }
    message
        .replace("expected usize", "expected a whole number ≥ 0")
        .replace("expected f32", "expected a number")
        .replace("expected a boolean", "expected true or false")
        .replace("unknown variant", "unknown value")
}

/// Keras config keys that convlab accepts but does not model, with the only values it accepts
/// (`None` = any value). Keras and TensorFlow.js write these into every `model.json`.
const IGNORED_FIELDS: [(&str, Option<&[&str]>); 23] = [
    ("dtype", None),
    ("batch_size", None),
    ("data_format", Some(&["\"channels_last\"", "null"])),
    ("dilation_rate", Some(&["[1,1]", "1", "[1]"])),
    ("groups", Some(&["1"])),
    ("bias_regularizer", Some(&["null"])),
    ("activity_regularizer", Some(&["null"])),
    ("kernel_constraint", Some(&["null"])),
    ("bias_constraint", Some(&["null"])),
    ("seed", None),
    ("noise_shape", Some(&["null"])),
    ("keepdims", Some(&["false"])),
    ("beta_initializer", None),
    ("gamma_initializer", None),
    ("moving_mean_initializer", None),
    ("moving_variance_initializer", None),
    ("beta_regularizer", Some(&["null"])),
    ("gamma_regularizer", Some(&["null"])),
    ("beta_constraint", Some(&["null"])),
    ("gamma_constraint", Some(&["null"])),
    ("synchronized", Some(&["false"])),
    ("renorm", Some(&["false"])),
    ("renorm_clipping", Some(&["null"])),
];

/// Keys about the layer rather than its arguments, handled by [`Architecture::from_spec`].
const LAYER_KEYS: [&str; 6] = [
    "name",
    "trainable",
    "batch_input_shape",
    "input_shape",
    "batch_shape",
    "axis",
];

/// One checked layer: its place, name, config, shapes and counts.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerPlan {
    /// The layer's name (`conv2d_1`): from the spec, or generated the way Keras does.
    pub name: String,
    /// The checked config.
    pub kind: LayerKind,
    /// Whether the optimizer updates this layer (Keras `trainable`).
    pub trainable: bool,
    /// Per-sample input shape.
    pub input_shape: Vec<usize>,
    /// Per-sample output shape.
    pub output_shape: Vec<usize>,
    /// Parameter counts (all non-trainable when the layer is frozen).
    pub params: ParamCount,
    /// Height and width arithmetic for Conv2D and pooling layers.
    pub output_size: Option<[OutputSize; 2]>,
}

impl LayerPlan {
    /// The Keras class name (`Conv2D`).
    pub fn class_name(&self) -> &'static str {
        self.kind.config().class_name()
    }
}

/// A checked Sequential model: the input shape and every layer's plan. Cheap to compute (no
/// weights), so the page recomputes it on every edit.
#[derive(Clone, Debug, PartialEq)]
pub struct Architecture {
    /// The model's name (`sequential`).
    pub name: String,
    /// Per-sample input shape (`[28, 28, 1]`).
    pub input_shape: Vec<usize>,
    /// The layers, in order.
    pub layers: Vec<LayerPlan>,
}

impl Architecture {
    /// Checks `spec` layer by layer and infers every shape; the first problem is an error that
    /// names the layer, the field and the fix.
    pub fn from_spec(spec: &ModelSpec) -> Result<Architecture> {
        let mut entries: &[LayerSpec] = &spec.config.layers;
        let mut input_shape = None;
        if let Some(first) = entries.first() {
            if first.class_name == "InputLayer" {
                input_shape = Some(declared_input_shape(&first.config).ok_or_else(|| {
                    ConvlabError::Model("the InputLayer has no batch_input_shape or batch_shape; give it e.g. [null, 28, 28, 1]".into())
                })?);
                entries = &entries[1..];
            } else {
                input_shape = declared_input_shape(&first.config);
            }
        }
        if entries.is_empty() {
            return Err(ConvlabError::Model(
                "the model has no layers; add at least one, e.g. Dense(10, activation='softmax')"
                    .into(),
            ));
        }
        let input_shape = input_shape.ok_or_else(|| {
            ConvlabError::Model("the first layer has no input shape; give it input_shape=(28, 28, 1) (or start with an InputLayer)".into())
        })?;
        if input_shape.is_empty() || input_shape.contains(&0) {
            return Err(ConvlabError::Model(format!(
                "the input shape {} has a zero or missing size; MNIST images are (28, 28, 1)",
                format_shape(&input_shape)
            )));
        }
        if values_per_image(&input_shape).is_none() {
            return Err(ConvlabError::Model(format!(
                "the input shape {} has more than the {} values per image convlab can hold; MNIST images are (28, 28, 1)",
                format_shape(&input_shape),
                group_thousands(MAX_VALUES_PER_IMAGE)
            )));
        }

        let mut names: Vec<String> = Vec::with_capacity(entries.len());
        let mut layers = Vec::with_capacity(entries.len());
        let mut shape = input_shape.clone();
        let mut total_params = 0usize;
        for (i, entry) in entries.iter().enumerate() {
            let index = i + 1;
            let default_name = keras_default_name(&entry.class_name, &names);
            let name = match entry.config.get("name") {
                Some(Value::String(name)) if !name.is_empty() => name.clone(),
                _ => default_name,
            };
            let error = |field: &str, message: String| ConvlabError::Spec {
                index,
                name: name.clone(),
                class_name: entry.class_name.clone(),
                field: field.to_string(),
                message,
            };
            if !LAYER_CLASSES.contains(&entry.class_name.as_str()) {
                return Err(error(
                    "class_name",
                    format!(
                        "'{}' is not a layer convlab knows; use one of {}",
                        entry.class_name,
                        LAYER_CLASSES.join(", ")
                    ),
                ));
            }
            if names.contains(&name) {
                return Err(error(
                    "name",
                    format!(
                        "'{name}' is already the name of another layer; layer names must be unique"
                    ),
                ));
            }
            let kind = LayerKind::parse(&entry.class_name, &entry.config)
                .map_err(|e| error(&e.field, e.message))?;
            check_fields(entry, &kind).map_err(|e| error(&e.field, e.message))?;
            let config = kind.config();
            let output_shape = config
                .output_shape(&shape)
                .map_err(|e| error(&e.field, e.message))?;
            if values_per_image(&output_shape).is_none() {
                return Err(error(
                    "output_shape",
                    format!(
                        "the output {} has more than the {} values per image convlab can hold; use fewer filters or units, or larger strides",
                        format_shape(&output_shape),
                        group_thousands(MAX_VALUES_PER_IMAGE)
                    ),
                ));
            }
            let trainable = entry
                .config
                .get("trainable")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let mut params = config.param_count(&shape);
            if !trainable {
                params = ParamCount {
                    trainable: 0,
                    non_trainable: params.total(),
                };
            }
            total_params = total_params.saturating_add(params.total());
            if total_params > MAX_PARAMS {
                return Err(error(
                    "params",
                    format!(
                        "the model reaches {} parameters here, more than the {} a browser tab can train; use fewer units/filters or add pooling before Flatten",
                        group_thousands(total_params),
                        group_thousands(MAX_PARAMS)
                    ),
                ));
            }
            let output_size = config.output_size(&shape);
            names.push(name.clone());
            layers.push(LayerPlan {
                name,
                kind,
                trainable,
                input_shape: std::mem::replace(&mut shape, output_shape.clone()),
                output_shape,
                params,
                output_size,
            });
        }
        let architecture = Architecture {
            name: spec.config.name.clone(),
            input_shape,
            layers,
        };
        crate::size_guard::SizeEstimate::for_building(&architecture).check_budget()?;
        Ok(architecture)
    }

    /// The per-sample output shape of the model.
    pub fn output_shape(&self) -> &[usize] {
        &self
            .layers
            .last()
            .expect("an architecture has layers")
            .output_shape
    }

    /// Parameter counts of the whole model.
    pub fn params(&self) -> ParamCount {
        self.layers
            .iter()
            .fold(ParamCount::default(), |sum, layer| ParamCount {
                trainable: sum.trainable + layer.params.trainable,
                non_trainable: sum.non_trainable + layer.params.non_trainable,
            })
    }

    /// The spec that describes this architecture, in the TensorFlow.js `modelTopology` form
    /// (the first layer carries `batch_input_shape`).
    pub fn to_spec(&self) -> ModelSpec {
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let mut config = Map::new();
                config.insert("name".into(), Value::String(layer.name.clone()));
                config.insert("trainable".into(), Value::Bool(layer.trainable));
                if i == 0 {
                    let mut batch_input_shape = vec![Value::Null];
                    batch_input_shape.extend(self.input_shape.iter().map(|&d| Value::from(d)));
                    config.insert("batch_input_shape".into(), Value::Array(batch_input_shape));
                    config.insert("dtype".into(), Value::String("float32".into()));
                }
                config.extend(layer.kind.to_config());
                LayerSpec {
                    class_name: layer.class_name().to_string(),
                    config,
                }
            })
            .collect();
        ModelSpec {
            class_name: "Sequential".into(),
            config: SequentialSpec {
                name: self.name.clone(),
                layers,
            },
        }
    }
}

/// The per-sample input shape a layer config declares (`batch_input_shape`, Keras 3
/// `batch_shape`, or `input_shape`), if any. Nulls (unknown sizes) are not accepted.
fn declared_input_shape(config: &Map<String, Value>) -> Option<Vec<usize>> {
    let dims = |value: &Value| -> Option<Vec<usize>> {
        value
            .as_array()?
            .iter()
            .map(|d| d.as_u64().map(|d| d as usize))
            .collect()
    };
    for key in ["batch_input_shape", "batch_shape"] {
        if let Some(Value::Array(shape)) = config.get(key) {
            return dims(&Value::Array(shape.iter().skip(1).cloned().collect()));
        }
    }
    config.get("input_shape").and_then(dims)
}

/// The number of values in a per-image shape, or `None` above [`MAX_VALUES_PER_IMAGE`].
fn values_per_image(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |product, &dim| product.checked_mul(dim))
        .filter(|&values| values <= MAX_VALUES_PER_IMAGE)
}

/// Keras's automatic layer name: the class name in snake case, then `_1`, `_2`, ... for later
/// layers of the same class (`conv2d`, `conv2d_1`).
pub(crate) fn keras_default_name(class_name: &str, taken: &[String]) -> String {
    let mut base = String::new();
    let chars: Vec<char> = class_name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let previous_lower = i > 0 && (chars[i - 1].is_ascii_lowercase());
        if c.is_ascii_uppercase() && previous_lower {
            base.push('_');
        }
        base.push(c.to_ascii_lowercase());
    }
    if !taken.contains(&base) {
        return base;
    }
    (1..)
        .map(|n| format!("{base}_{n}"))
        .find(|name| !taken.contains(name))
        .expect("a free name exists")
}

/// Rejects config keys convlab does not know and ignorable keys with values it cannot honour.
fn check_fields(entry: &LayerSpec, kind: &LayerKind) -> std::result::Result<(), FieldError> {
    let defaults = kind.to_config();
    for (key, value) in &entry.config {
        if defaults.contains_key(key) || LAYER_KEYS.contains(&key.as_str()) {
            continue;
        }
        match IGNORED_FIELDS.iter().find(|(name, _)| name == key) {
            Some((_, None)) => {}
            Some((name, Some(allowed))) => {
                let text = value.to_string().replace(' ', "");
                if !allowed.contains(&text.as_str()) {
                    return Err(FieldError::new(
                        *name,
                        format!(
                            "{text} is not supported by convlab; remove it or use {}",
                            allowed[0]
                        ),
                    ));
                }
            }
            None => {
                let mut known: Vec<&str> = defaults.keys().map(String::as_str).collect();
                known.sort_unstable();
                return Err(FieldError::new(
                    "config",
                    format!(
                        "unknown argument '{key}'; {} takes {}",
                        entry.class_name,
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    if let Some(axis) = entry.config.get("axis") {
        let last = matches!(axis.as_i64(), Some(-1) | Some(3))
            || axis
                .as_array()
                .is_some_and(|a| a.len() == 1 && matches!(a[0].as_i64(), Some(-1) | Some(3)));
        if !last {
            return Err(FieldError::new(
                "axis",
                format!(
                    "{axis} is not supported; batch normalization runs over the channel axis, -1"
                ),
            ));
        }
    }
    Ok(())
}

/// `41866` → `41,866`, as Keras prints parameter counts.
pub fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(c);
    }
    text
}
