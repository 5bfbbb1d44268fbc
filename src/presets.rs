//! The lesson's two models, by the names the CLI and the page use (`seed-cnn`, `seed-mlp`).

use serde_json::json;

use crate::spec::{LayerSpec, ModelSpec};

/// A ready-made model: its CLI name, its title on the page, and its spec.
pub struct Preset {
    /// CLI name (`seed-cnn`).
    pub name: &'static str,
    /// Title on the page (`Lesson CNN`).
    pub title: &'static str,
    /// Builds the spec.
    pub spec: fn() -> ModelSpec,
}

/// Every preset, in the order the page lists them.
pub const PRESETS: [Preset; 2] = [
    Preset {
        name: "seed-cnn",
        title: "Lesson CNN",
        spec: lesson_cnn,
    },
    Preset {
        name: "seed-mlp",
        title: "Lesson MLP",
        spec: lesson_mlp,
    },
];

/// The preset called `name`, or an error listing the names.
pub fn preset(name: &str) -> crate::error::Result<ModelSpec> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .map(|p| (p.spec)())
        .ok_or_else(|| {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            crate::ConvlabError::Model(format!(
                "no preset named '{name}'; choose one of {}",
                names.join(", ")
            ))
        })
}

/// The lesson CNN: `Conv2D(32, (3,3), padding='same', relu) → MaxPooling2D(2) →
/// Conv2D(64, (3,3), relu) → MaxPooling2D(2) → Flatten → Dense(10, softmax)`, 41,866 parameters.
pub fn lesson_cnn() -> ModelSpec {
    ModelSpec::sequential(vec![
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 32, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same",
                   "activation": "relu", "batch_input_shape": [null, 28, 28, 1]}),
        ),
        LayerSpec::new("MaxPooling2D", json!({"pool_size": [2, 2]})),
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 64, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "activation": "relu"}),
        ),
        LayerSpec::new("MaxPooling2D", json!({"pool_size": [2, 2]})),
        LayerSpec::new("Flatten", json!({})),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ])
}

/// The lesson MLP: `Flatten(input_shape=(28, 28, 1)) → Dense(512, relu) → Dense(512, relu) →
/// Dense(10, softmax)`, i.e. 784 → 512 → 512 → 10, 669,706 parameters.
pub fn lesson_mlp() -> ModelSpec {
    ModelSpec::sequential(vec![
        LayerSpec::new("Flatten", json!({"batch_input_shape": [null, 28, 28, 1]})),
        LayerSpec::new("Dense", json!({"units": 512, "activation": "relu"})),
        LayerSpec::new("Dense", json!({"units": 512, "activation": "relu"})),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ])
}
