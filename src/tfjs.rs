//! Saving and loading models in the TensorFlow.js Layers format: a `model.json` holding the
//! Keras `modelTopology` and a `weightsManifest`, and the weights as little-endian float32 in a
//! `.bin` file. A model saved here loads with `tf.loadLayersModel`, and a compatible TensorFlow.js
//! or converted Keras model loads here.

use ndarray::IxDyn;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ConvlabError, Result};
use crate::model::Sequential;
use crate::spec::ModelSpec;
use crate::tensor::Tensor;

/// The name of the one weights file convlab writes (the TensorFlow.js convention).
pub const WEIGHTS_FILE: &str = "group1-shard1of1.bin";

/// The largest weights file convlab reads (400 MB = 100 M float32 parameters).
pub const MAX_WEIGHTS_BYTES: usize = 4 * crate::spec::MAX_PARAMS;

/// One entry of a weights manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightEntry {
    /// `layer_name/param_name` (`conv2d/kernel`).
    pub name: String,
    /// Keras layout shape.
    pub shape: Vec<usize>,
    /// Only `float32` is supported.
    pub dtype: String,
}

/// A group of weights stored in one or more shard files, read in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightGroup {
    /// Shard file names, relative to `model.json`.
    pub paths: Vec<String>,
    /// The weights, in the order their bytes appear.
    pub weights: Vec<WeightEntry>,
}

/// The parts of a `model.json` convlab reads and writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelJson {
    /// Always `layers-model`.
    #[serde(default)]
    pub format: Option<String>,
    /// The program that wrote the file.
    #[serde(default)]
    pub generated_by: Option<String>,
    /// The converter, if any (`null` for convlab).
    #[serde(default)]
    pub converted_by: Option<String>,
    /// The Keras model topology.
    pub model_topology: Value,
    /// Where the weights are and what they are.
    #[serde(default)]
    pub weights_manifest: Vec<WeightGroup>,
}

/// A model in TensorFlow.js form: the `model.json` text and the bytes of [`WEIGHTS_FILE`].
#[derive(Clone, Debug, PartialEq)]
pub struct Artifacts {
    /// The `model.json` text.
    pub model_json: String,
    /// The weights file's bytes.
    pub weights: Vec<u8>,
}

/// The model's topology and weights in TensorFlow.js Layers form.
pub fn to_artifacts(model: &Sequential) -> Artifacts {
    let spec = model.architecture().to_spec();
    let mut topology = serde_json::to_value(&spec).expect("a spec serialises");
    topology["keras_version"] = Value::from("tfjs-layers 4.22.0");
    topology["backend"] = Value::from("tensor_flow.js");
    let weights = model.weights();
    let entries = weights
        .iter()
        .map(|(name, tensor)| WeightEntry {
            name: name.clone(),
            shape: tensor.shape().to_vec(),
            dtype: "float32".into(),
        })
        .collect();
    let mut bytes = Vec::with_capacity(weights.iter().map(|(_, t)| t.len() * 4).sum());
    for (_, tensor) in &weights {
        for value in tensor.iter() {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    let json = ModelJson {
        format: Some("layers-model".into()),
        generated_by: Some(format!("convlab {}", env!("CARGO_PKG_VERSION"))),
        converted_by: None,
        model_topology: topology,
        weights_manifest: vec![WeightGroup {
            paths: vec![WEIGHTS_FILE.into()],
            weights: entries,
        }],
    };
    Artifacts {
        model_json: serde_json::to_string_pretty(&json).expect("model.json serialises"),
        weights: bytes,
    }
}

/// Parses a `model.json` text.
pub fn parse_model_json(text: &str) -> Result<ModelJson> {
    let json: ModelJson = serde_json::from_str(text).map_err(|e| {
        ConvlabError::Format(format!(
            "model.json is not a TensorFlow.js Layers model ({e})"
        ))
    })?;
    if let Some(format) = &json.format {
        if format != "layers-model" {
            return Err(ConvlabError::Format(format!(
                "model.json has format '{format}'; convlab reads Layers models ('layers-model'), not graph models"
            )));
        }
    }
    Ok(json)
}

/// Builds the model described by `model_json`, with the weights from `shards` (the bytes of each
/// file named in the manifest, looked up by name). A model.json without a manifest gives fresh
/// weights from `seed`.
pub fn from_artifacts(
    model_json: &str,
    shard: impl Fn(&str) -> Result<Vec<u8>>,
    seed: u64,
) -> Result<Sequential> {
    let json = parse_model_json(model_json)?;
    let spec = ModelSpec::from_value(json.model_topology.clone())?;
    let mut model = Sequential::from_spec(&spec, seed)?;
    if json.weights_manifest.is_empty() {
        return Ok(model);
    }
    let mut by_name: Vec<(String, Tensor)> = Vec::new();
    for group in &json.weights_manifest {
        let mut bytes = Vec::new();
        for path in &group.paths {
            bytes.extend(shard(path)?);
            if bytes.len() > MAX_WEIGHTS_BYTES {
                return Err(ConvlabError::Format(format!(
                    "the weights are larger than {MAX_WEIGHTS_BYTES} bytes"
                )));
            }
        }
        let mut offset = 0;
        for entry in &group.weights {
            if entry.dtype != "float32" {
                return Err(ConvlabError::Format(format!(
                    "weight '{}' is {}; convlab reads float32 weights only (save without quantization)",
                    entry.name, entry.dtype
                )));
            }
            let count = entry
                .shape
                .iter()
                .try_fold(1usize, |n, &d| n.checked_mul(d))
                .filter(|&n| n <= MAX_WEIGHTS_BYTES / 4);
            let Some(count) = count else {
                return Err(ConvlabError::Format(format!(
                    "weight '{}' has an impossible shape {:?}",
                    entry.name, entry.shape
                )));
            };
            let end = offset + count * 4;
            if end > bytes.len() {
                return Err(ConvlabError::Format(format!(
                    "the weights file is too short: '{}' needs bytes {offset}..{end} but the file has {}",
                    entry.name,
                    bytes.len()
                )));
            }
            let values = bytes[offset..end]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            let tensor =
                Tensor::from_shape_vec(IxDyn(&entry.shape), values).expect("length checked");
            by_name.push((strip_suffix(&entry.name).to_string(), tensor));
            offset = end;
        }
        if offset != bytes.len() {
            return Err(ConvlabError::Format(format!(
                "the weights file has {} bytes but the manifest describes {offset}; it does not belong to this model.json",
                bytes.len()
            )));
        }
    }
    let mut ordered = Vec::new();
    for (name, _) in model.weights() {
        let position = by_name
            .iter()
            .position(|(n, _)| *n == name)
            .ok_or_else(|| {
                ConvlabError::Format(format!(
                    "the weights manifest has no '{name}', which the model needs"
                ))
            })?;
        ordered.push(by_name.swap_remove(position).1);
    }
    if let Some((extra, _)) = by_name.first() {
        return Err(ConvlabError::Format(format!(
            "the weights manifest has '{extra}', which no layer of the model owns"
        )));
    }
    model.set_weights(ordered)?;
    Ok(model)
}

/// Keras sometimes writes TensorFlow variable names (`conv2d/kernel:0`); the `:0` is dropped.
fn strip_suffix(name: &str) -> &str {
    name.strip_suffix(":0").unwrap_or(name)
}

/// Writes `model.json` and the weights file into `dir` (created if missing).
#[cfg(not(target_arch = "wasm32"))]
pub fn save_dir(model: &Sequential, dir: &std::path::Path) -> Result<()> {
    let artifacts = to_artifacts(model);
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("model.json"), artifacts.model_json)?;
    std::fs::write(dir.join(WEIGHTS_FILE), artifacts.weights)?;
    Ok(())
}

/// Loads a model from a `model.json` path, reading weight shards beside it.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_path(model_json: &std::path::Path, seed: u64) -> Result<Sequential> {
    let text = std::fs::read_to_string(model_json)
        .map_err(|e| ConvlabError::Io(format!("cannot read {}: {e}", model_json.display())))?;
    let dir = model_json
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    from_artifacts(
        &text,
        |path| {
            let file = dir.join(path);
            std::fs::read(&file).map_err(|e| {
                ConvlabError::Io(format!("cannot read weights file {}: {e}", file.display()))
            })
        },
        seed,
    )
}
