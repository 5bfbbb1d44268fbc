//! The engine's only face to JavaScript (wasm-bindgen). Thin on purpose: it converts between JS
//! values and engine types and holds the state one Web Worker needs; all logic is in the engine.
//!
//! Data objects use the engine's (Keras) snake_case field names. Errors are thrown as plain
//! objects `{code, message, layer, field}`: `code` is the engine's stable code (`spec.field`,
//! `setting.range`, `format.tfjs`, `training.diverged`, `size.budget`, …, see
//! `ConvlabError::code`), `layer` the 1-based layer index for spec and size errors, `field` the
//! setting or config field at fault, so the page can show the message next to that control.

use js_sys::{Float32Array, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analysis::confusion::Confusion;
use crate::data::mnist::{self, Mnist};
use crate::error::ConvlabError;
use crate::layers::Mode;
use crate::model::Sequential;
use crate::padding::OutputSize;
use crate::presets::PRESETS;
use crate::rng::Rng;
use crate::size_guard::{format_bytes, SizeEstimate, DEFAULT_FLOPS_PER_SECOND};
use crate::spec::{Architecture, ModelSpec};
use crate::tensor::Tensor;
use crate::training::{evaluate, BatchStats, Fit, History, TrainingConfig};

/// Installs the panic hook: a Rust panic's message goes to the console and is kept for the
/// worker to report (`crate::wasm_crash`).
#[wasm_bindgen(start)]
pub fn start() {
    crate::wasm_crash::install_panic_hook();
}

#[derive(Serialize)]
struct JsError {
    code: &'static str,
    message: String,
    layer: Option<usize>,
    field: Option<String>,
    /// For `training.diverged`: the 1-based epoch and batch that blew up.
    #[serde(skip_serializing_if = "Option::is_none")]
    epoch: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<usize>,
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("engine values serialise to JS")
}

fn js_error(error: ConvlabError) -> JsValue {
    to_js(&js_error_value(&error))
}

fn js_error_value(error: &ConvlabError) -> JsError {
    let (layer, field) = match error {
        ConvlabError::Spec { index, field, .. } => (Some(*index), Some(field.clone())),
        ConvlabError::Size { index, .. } => (Some(*index), None),
        ConvlabError::Setting { field, .. } => (None, Some(field.clone())),
        ConvlabError::Diverged { .. } => (None, Some("learning_rate".to_string())),
        _ => (None, None),
    };
    let (epoch, batch) = match error {
        ConvlabError::Diverged { epoch, batch, .. } => (Some(*epoch), Some(*batch)),
        _ => (None, None),
    };
    JsError {
        code: error.code(),
        message: error.to_string(),
        layer,
        field,
        epoch,
        batch,
    }
}

fn setting_error(field: &str, message: impl Into<String>) -> JsValue {
    js_error(ConvlabError::setting(field, message))
}

#[derive(Serialize)]
struct AxisView {
    #[serde(flatten)]
    size: OutputSize,
    formula: String,
}

#[derive(Serialize)]
struct LayerView<'a> {
    index: usize,
    name: &'a str,
    class_name: &'a str,
    input_shape: &'a [usize],
    output_shape: &'a [usize],
    trainable_params: usize,
    non_trainable_params: usize,
    params: usize,
    output_size: Option<Vec<AxisView>>,
}

#[derive(Serialize)]
struct ArchitectureView<'a> {
    name: &'a str,
    input_shape: &'a [usize],
    layers: Vec<LayerView<'a>>,
    total_params: usize,
    trainable_params: usize,
    non_trainable_params: usize,
    summary: String,
    spec: ModelSpec,
}

fn architecture_view(architecture: &Architecture) -> JsValue {
    let totals = architecture.params();
    let layers = architecture
        .layers
        .iter()
        .enumerate()
        .map(|(i, layer)| LayerView {
            index: i + 1,
            name: &layer.name,
            class_name: layer.class_name(),
            input_shape: &layer.input_shape,
            output_shape: &layer.output_shape,
            trainable_params: layer.params.trainable,
            non_trainable_params: layer.params.non_trainable,
            params: layer.params.total(),
            output_size: layer.output_size.map(|axes| {
                axes.iter()
                    .map(|&size| AxisView {
                        size,
                        formula: size.formula(),
                    })
                    .collect()
            }),
        })
        .collect();
    to_js(&ArchitectureView {
        name: &architecture.name,
        input_shape: &architecture.input_shape,
        layers,
        total_params: totals.total(),
        trainable_params: totals.trainable,
        non_trainable_params: totals.non_trainable,
        summary: crate::summary::summary(architecture),
        spec: architecture.to_spec(),
    })
}

/// Checks a model spec (JSON text of a Keras `modelTopology`) and returns every layer's shapes,
/// parameter counts and output-size formulas, the totals and the `model.summary()` text.
#[wasm_bindgen(js_name = checkModel)]
pub fn check_model(spec_json: &str) -> Result<JsValue, JsValue> {
    let spec = ModelSpec::from_json(spec_json).map_err(js_error)?;
    let architecture = Architecture::from_spec(&spec).map_err(js_error)?;
    Ok(architecture_view(&architecture))
}

#[derive(Serialize)]
struct EstimateView {
    #[serde(flatten)]
    estimate: SizeEstimate,
    train_images: usize,
    validation_images: usize,
    flops_per_second: f64,
    /// Whether `flops_per_second` was measured (a run's speed) rather than the default.
    rate_measured: bool,
    seconds_per_epoch: f64,
    /// `total_bytes` and `budget_bytes` as people write them (`48.2 MB`).
    total_text: String,
    budget_text: String,
    /// The size guard's refusal (`size.budget`), when training this way would be refused.
    error: Option<JsError>,
}

/// The size guard's estimate for training `spec_json` with `training_json` (a `TrainingConfig`)
/// on `train_images` images at `flops_per_second` (0: the documented default rate): per layer
/// and in total, bytes, FLOPs per image and seconds per epoch, with `error` set when the engine
/// would refuse to train it.
#[wasm_bindgen(js_name = estimateTraining)]
pub fn estimate_training(
    spec_json: &str,
    training_json: &str,
    train_images: usize,
    flops_per_second: f64,
) -> Result<JsValue, JsValue> {
    let spec = ModelSpec::from_json(spec_json).map_err(js_error)?;
    let architecture = Architecture::from_spec(&spec).map_err(js_error)?;
    let training = TrainingConfig::from_json(training_json).map_err(js_error)?;
    let estimate = SizeEstimate::for_training(
        &architecture,
        training.batch_size.max(1),
        &training.optimizer,
    );
    let validation_images =
        (train_images as f32 * training.validation_split.clamp(0.0, 1.0)).round() as usize;
    let train_images = train_images - validation_images.min(train_images);
    let rate_measured = flops_per_second.is_finite() && flops_per_second > 0.0;
    let flops_per_second = if rate_measured {
        flops_per_second
    } else {
        DEFAULT_FLOPS_PER_SECOND
    };
    let error = estimate.check_budget().err().map(|e| js_error_value(&e));
    Ok(to_js(&EstimateView {
        seconds_per_epoch: estimate.seconds_per_epoch(
            train_images,
            validation_images,
            flops_per_second,
        ),
        total_text: format_bytes(estimate.total_bytes),
        budget_text: format_bytes(estimate.budget_bytes),
        estimate,
        train_images,
        validation_images,
        flops_per_second,
        rate_measured,
        error,
    }))
}

#[derive(Serialize)]
struct PresetView {
    name: &'static str,
    title: &'static str,
    spec: ModelSpec,
}

/// The lesson presets: `[{name, title, spec}]`.
#[wasm_bindgen]
pub fn presets() -> JsValue {
    let presets: Vec<PresetView> = PRESETS
        .iter()
        .map(|p| PresetView {
            name: p.name,
            title: p.title,
            spec: (p.spec)(),
        })
        .collect();
    to_js(&presets)
}

/// The default training settings (Keras defaults), as the page's controls start.
#[wasm_bindgen(js_name = defaultTrainingConfig)]
pub fn default_training_config() -> JsValue {
    to_js(&TrainingConfig::default())
}

#[derive(Serialize)]
struct FeatureMap<'a> {
    layer: usize,
    name: &'a str,
    class_name: &'a str,
    shape: &'a [usize],
}

/// Everything one Web Worker owns: the data, the model, and the training run in progress.
#[wasm_bindgen]
pub struct Playground {
    mnist: Option<Mnist>,
    model: Option<Sequential>,
    fit: Option<Fit>,
    /// The history of the last finished run, kept because the run ends inside `trainBatches`
    /// (the page still needs its `best_epoch` after the last batch).
    last_history: Option<History>,
    image: Tensor,
    /// Reused buffer for `readGradients`.
    gradients: Vec<f32>,
    /// The evaluation panel's last confusion matrix, for listing the images of a cell.
    confusion: Option<Confusion>,
}

impl Playground {
    fn model_mut(&mut self) -> Result<&mut Sequential, JsValue> {
        match (&mut self.fit, &mut self.model) {
            (Some(fit), _) => Ok(fit.model_mut()),
            (None, Some(model)) => Ok(model),
            (None, None) => Err(js_error(ConvlabError::Model(
                "no model is built yet; choose a preset or add layers".into(),
            ))),
        }
    }

    fn model(&self) -> Result<&Sequential, JsValue> {
        match (&self.fit, &self.model) {
            (Some(fit), _) => Ok(fit.model()),
            (None, Some(model)) => Ok(model),
            (None, None) => Err(js_error(ConvlabError::Model(
                "no model is built yet; choose a preset or add layers".into(),
            ))),
        }
    }

    fn mnist(&self) -> Result<&Mnist, JsValue> {
        self.mnist.as_ref().ok_or_else(|| {
            js_error(ConvlabError::Data(
                "MNIST is not loaded yet; wait for the download to finish".into(),
            ))
        })
    }

    /// Runs test image `index` through the model (inference) so outputs can be read.
    fn run_test_image(&mut self, index: usize) -> Result<(), JsValue> {
        let test = &self.mnist()?.test;
        if index >= test.len() {
            return Err(setting_error(
                "image",
                format!(
                    "test image {index} does not exist; choose 0 to {}",
                    test.len() - 1
                ),
            ));
        }
        let mut image = std::mem::replace(&mut self.image, Tensor::zeros(ndarray::IxDyn(&[0])));
        self.mnist()?.test.fill_images(&[index], &mut image);
        self.model_mut()?
            .forward(&image, Mode::Infer, &mut Rng::new(0));
        self.image = image;
        Ok(())
    }
}

#[wasm_bindgen]
impl Playground {
    /// An empty playground: no data, no model.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Playground {
        Playground {
            mnist: None,
            model: None,
            fit: None,
            last_history: None,
            image: Tensor::zeros(ndarray::IxDyn(&[0])),
            gradients: Vec::new(),
            confusion: None,
        }
    }

    /// Loads MNIST from the four idx files (gzipped or not); returns `{train, test}` sizes.
    #[wasm_bindgen(js_name = loadMnist)]
    pub fn load_mnist(
        &mut self,
        train_images: &[u8],
        train_labels: &[u8],
        test_images: &[u8],
        test_labels: &[u8],
    ) -> Result<JsValue, JsValue> {
        let data = mnist::from_gz_bytes(train_images, train_labels, test_images, test_labels)
            .map_err(js_error)?;
        let sizes = serde_json::json!({"train": data.train.len(), "test": data.test.len()});
        self.mnist = Some(data);
        Ok(to_js(&sizes))
    }

    /// Builds the model of `spec_json` with fresh weights from `seed`, replacing the current one
    /// (a training run in progress is dropped). Returns the architecture as `checkModel` does.
    #[wasm_bindgen(js_name = buildModel)]
    pub fn build_model(&mut self, spec_json: &str, seed: u64) -> Result<JsValue, JsValue> {
        let spec = ModelSpec::from_json(spec_json).map_err(js_error)?;
        let model = Sequential::from_spec(&spec, seed).map_err(js_error)?;
        let view = architecture_view(model.architecture());
        self.fit = None;
        self.last_history = None;
        self.model = Some(model);
        Ok(view)
    }

    /// Starts training the current model with `config_json` (a `TrainingConfig`) on the first
    /// `train_size` training images. Returns `{batches_per_epoch}`.
    #[wasm_bindgen(js_name = startTraining)]
    pub fn start_training(
        &mut self,
        config_json: &str,
        train_size: usize,
    ) -> Result<JsValue, JsValue> {
        let config = TrainingConfig::from_json(config_json).map_err(js_error)?;
        let train = self.mnist()?.train.take(train_size);
        self.stop_training();
        let model = self
            .model
            .as_ref()
            .ok_or_else(|| js_error(ConvlabError::Model("no model is built yet".into())))?;
        Fit::check(model, &train, None, &config).map_err(js_error)?;
        let model = self.model.take().expect("checked above");
        let fit = Fit::new(model, train, None, config).map_err(js_error)?;
        let info = serde_json::json!({"batches_per_epoch": fit.batches_per_epoch()});
        self.fit = Some(fit);
        Ok(to_js(&info))
    }

    /// Trains up to `max_batches` batches (fewer when the run ends) and returns their `Step`s.
    #[wasm_bindgen(js_name = trainBatches)]
    pub fn train_batches(&mut self, max_batches: usize) -> Result<JsValue, JsValue> {
        let fit = self.fit.as_mut().ok_or_else(|| {
            setting_error("training", "no training run is in progress; press Train")
        })?;
        let mut steps = Vec::with_capacity(max_batches);
        while steps.len() < max_batches && !fit.is_finished() {
            match fit.step() {
                Ok(step) => steps.push(step),
                Err(error) => {
                    // A diverged run is over: its model (last good weights) and history stay.
                    self.stop_training();
                    return Err(js_error(error));
                }
            }
        }
        if fit.is_finished() {
            self.stop_training();
        }
        Ok(to_js(&steps))
    }

    /// Ends the training run (Stop): the trained model stays, ready for predictions.
    #[wasm_bindgen(js_name = stopTraining)]
    pub fn stop_training(&mut self) {
        if let Some(mut fit) = self.fit.take() {
            fit.finish();
            let (model, history) = fit.into_parts();
            self.model = Some(model);
            self.last_history = Some(history);
        }
    }

    /// Whether a training run is in progress.
    #[wasm_bindgen(js_name = isTraining)]
    pub fn is_training(&self) -> bool {
        self.fit.is_some()
    }

    /// Loss and accuracy on the first `count` test images (`{loss, accuracy}`).
    #[wasm_bindgen(js_name = evaluateTest)]
    pub fn evaluate_test(&mut self, count: usize, loss_name: &str) -> Result<JsValue, JsValue> {
        let loss = crate::loss::Loss::from_name(loss_name)
            .ok_or_else(|| setting_error("loss", format!("'{loss_name}' is not a loss")))?;
        let test = self.mnist()?.test.take(count);
        let model = match (&mut self.fit, &mut self.model) {
            (Some(fit), _) => fit.model_mut(),
            (None, Some(model)) => model,
            (None, None) => {
                return Err(js_error(ConvlabError::Model(
                    "no model is built yet".into(),
                )))
            }
        };
        let evaluation = evaluate(model, &test, loss, 256).map_err(js_error)?;
        Ok(to_js(&evaluation))
    }

    /// Test image `index` as 784 floats in [0, 1] (row-major 28×28).
    #[wasm_bindgen(js_name = testImage)]
    pub fn test_image(&self, index: usize) -> Result<Float32Array, JsValue> {
        let test = &self.mnist()?.test;
        if index >= test.len() {
            return Err(setting_error(
                "image",
                format!("test image {index} does not exist"),
            ));
        }
        Ok(Float32Array::from(
            test.image(index)
                .iter()
                .map(|&p| p as f32 / 255.0)
                .collect::<Vec<f32>>()
                .as_slice(),
        ))
    }

    /// The label of test image `index`.
    #[wasm_bindgen(js_name = testLabel)]
    pub fn test_label(&self, index: usize) -> Result<usize, JsValue> {
        let test = &self.mnist()?.test;
        if index >= test.len() {
            return Err(setting_error(
                "image",
                format!("test image {index} does not exist"),
            ));
        }
        Ok(test.label(index))
    }

    /// The model's class probabilities for test image `index`.
    pub fn predict(&mut self, index: usize) -> Result<Float32Array, JsValue> {
        self.run_test_image(index)?;
        let output = self.model()?.output();
        Ok(Float32Array::from(
            output.as_slice().expect("contiguous output"),
        ))
    }

    /// For test image `index`: `[{layer, name, class_name, shape}]` of every Conv2D and pooling
    /// layer, with the NHWC values of those layers concatenated in `values` (call
    /// `featureMapValues` after this).
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&mut self, index: usize) -> Result<JsValue, JsValue> {
        self.run_test_image(index)?;
        self.feature_map_layers()
    }

    /// `[{layer, name, class_name, shape}]` of every Conv2D and pooling layer, whose outputs for
    /// the last image run through the model `layerOutput` returns.
    #[wasm_bindgen(js_name = featureMapLayers)]
    pub fn feature_map_layers(&self) -> Result<JsValue, JsValue> {
        let model = self.model()?;
        let maps: Vec<FeatureMap> = model
            .architecture()
            .layers
            .iter()
            .enumerate()
            .filter(|(_, plan)| plan.output_size.is_some())
            .map(|(i, plan)| FeatureMap {
                layer: i + 1,
                name: &plan.name,
                class_name: plan.class_name(),
                shape: &plan.output_shape,
            })
            .collect();
        Ok(to_js(&maps))
    }

    /// The output of layer `layer` (1-based) for the last image run through the model, NHWC.
    #[wasm_bindgen(js_name = layerOutput)]
    pub fn layer_output(&self, layer: usize) -> Result<Float32Array, JsValue> {
        let outputs = self.model()?.layer_outputs();
        let output = layer
            .checked_sub(1)
            .and_then(|i| outputs.get(i))
            .ok_or_else(|| setting_error("layer", format!("there is no layer {layer}")))?;
        Ok(Float32Array::from(output.as_slice().unwrap_or(&[])))
    }

    /// The kernel of Conv2D layer `layer` (1-based) as `[kh, kw, in, out]` values; empty for a
    /// layer without a kernel.
    pub fn kernel(&self, layer: usize) -> Result<Float32Array, JsValue> {
        let model = self.model()?;
        let built = layer
            .checked_sub(1)
            .and_then(|i| model.layers().get(i))
            .ok_or_else(|| setting_error("layer", format!("there is no layer {layer}")))?;
        let kernel = built.params().iter().find(|p| p.name == "kernel");
        Ok(Float32Array::from(
            kernel.and_then(|k| k.value.as_slice()).unwrap_or(&[]),
        ))
    }

    /// The history (`{epochs, batches, best_epoch, stopped_epoch}`) of the run in progress, else
    /// of the last run of this model; `null` before the first run.
    pub fn history(&self) -> JsValue {
        match (&self.fit, &self.last_history) {
            (Some(fit), _) => to_js(fit.history()),
            (None, Some(history)) => to_js(history),
            (None, None) => JsValue::NULL,
        }
    }

    /// The model as TensorFlow.js files: `model.json` text.
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> Result<String, JsValue> {
        Ok(crate::tfjs::to_artifacts(self.model()?).model_json)
    }

    /// The model's weights file bytes (`group1-shard1of1.bin`).
    #[wasm_bindgen(js_name = modelWeights)]
    pub fn model_weights(&self) -> Result<Uint8Array, JsValue> {
        Ok(Uint8Array::from(
            crate::tfjs::to_artifacts(self.model()?).weights.as_slice(),
        ))
    }

    /// All weights as one flat array (to start another worker from the same model).
    #[wasm_bindgen(js_name = weightsFlat)]
    pub fn weights_flat(&self) -> Result<Float32Array, JsValue> {
        Ok(Float32Array::from(self.model()?.weights_flat().as_slice()))
    }

    /// Replaces all weights from a flat array made by `weightsFlat` of the same architecture.
    #[wasm_bindgen(js_name = setWeightsFlat)]
    pub fn set_weights_flat(&mut self, flat: &[f32]) -> Result<(), JsValue> {
        self.model_mut()?.set_weights_flat(flat).map_err(js_error)
    }

    /// Data-parallel training, first half of a step: forward and backward on shard `shard` of
    /// `shards` of the current batch. Returns `{loss_sum, correct, size}`.
    #[wasm_bindgen(js_name = computeGradients)]
    pub fn compute_gradients(&mut self, shard: usize, shards: usize) -> Result<JsValue, JsValue> {
        let fit = self
            .fit
            .as_mut()
            .ok_or_else(|| setting_error("training", "no training run is in progress"))?;
        Ok(to_js(
            &fit.compute_gradients(shard, shards).map_err(js_error)?,
        ))
    }

    /// The gradients of the last `computeGradients`, flat, multiplied by `scale` (the shard size).
    #[wasm_bindgen(js_name = readGradients)]
    pub fn read_gradients(&mut self, scale: f32) -> Result<Float32Array, JsValue> {
        let fit = self
            .fit
            .as_mut()
            .ok_or_else(|| setting_error("training", "no training run is in progress"))?;
        self.gradients.resize(fit.gradient_len(), 0.0);
        fit.read_gradients(&mut self.gradients, scale);
        Ok(Float32Array::from(self.gradients.as_slice()))
    }

    /// Second half of a step: writes the combined mean gradients `flat`, applies the optimizer
    /// and logs the batch with the combined `stats` (`{loss_sum, correct, size}`). Returns the
    /// `Step`; the run ends (as in `trainBatches`) when it is the last.
    #[wasm_bindgen(js_name = applyGradients)]
    pub fn apply_gradients(&mut self, flat: &[f32], stats: JsValue) -> Result<JsValue, JsValue> {
        let stats: BatchStats = serde_wasm_bindgen::from_value(stats)
            .map_err(|e| setting_error("stats", e.to_string()))?;
        let fit = self
            .fit
            .as_mut()
            .ok_or_else(|| setting_error("training", "no training run is in progress"))?;
        if flat.len() != fit.gradient_len() {
            return Err(setting_error(
                "gradients",
                format!(
                    "{} values given, the model has {}",
                    flat.len(),
                    fit.gradient_len()
                ),
            ));
        }
        fit.write_gradients(flat);
        let step = match fit.apply_gradients(stats) {
            Ok(step) => step,
            Err(error) => {
                self.stop_training();
                return Err(js_error(error));
            }
        };
        if fit.is_finished() {
            self.stop_training();
        }
        Ok(to_js(&step))
    }
}

/// The model of `spec_json` (a `modelTopology`) and the training settings `training_json` (a
/// `TrainingConfig`) as runnable tf.keras Python in `style` (`functional` or `sequential`),
/// loading `dataset` (`mnist` or `fashion-mnist`).
#[wasm_bindgen(js_name = exportKeras)]
pub fn export_keras(
    spec_json: &str,
    training_json: &str,
    style: &str,
    dataset: &str,
) -> Result<String, JsValue> {
    use crate::keras_code::{export_keras_for, KerasDataset, Style};
    let spec = ModelSpec::from_json(spec_json).map_err(js_error)?;
    let architecture = Architecture::from_spec(&spec).map_err(js_error)?;
    let training = TrainingConfig::from_json(training_json).map_err(js_error)?;
    let style = Style::from_name(style).ok_or_else(|| {
        setting_error(
            "style",
            format!("'{style}' is not functional or sequential"),
        )
    })?;
    let dataset = KerasDataset::from_name(dataset).ok_or_else(|| {
        setting_error(
            "dataset",
            format!("'{dataset}' is not mnist or fashion-mnist"),
        )
    })?;
    Ok(export_keras_for(&architecture, &training, style, dataset))
}

#[derive(Serialize)]
struct KerasCodeErrorView {
    code: &'static str,
    message: String,
    line: usize,
    column: usize,
    layer: Option<usize>,
    field: Option<String>,
}

/// Reads pasted Keras model code (never runs it) and returns the model it defines as
/// `checkModel` does. Throws `{code: 'keras.parse', message, line, column}` (1-based) at the first
/// thing it does not understand or the first layer that cannot be built.
#[wasm_bindgen(js_name = importKeras)]
pub fn import_keras(source: &str) -> Result<JsValue, JsValue> {
    let architecture = crate::keras_code::check_keras(source).map_err(|error| {
        to_js(&KerasCodeErrorView {
            code: "keras.parse",
            message: error.message,
            line: error.line,
            column: error.column,
            layer: None,
            field: None,
        })
    })?;
    Ok(architecture_view(&architecture))
}

#[wasm_bindgen]
impl Playground {
    /// Replaces the model (and drops a run in progress) with a TensorFlow.js Layers model: the
    /// `model_json` text and `shards`, an object from each weights path named in its manifest to
    /// that file's bytes (a Uint8Array). A model.json without a manifest gets fresh weights from
    /// `seed`. Returns the architecture as `checkModel` does.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(
        &mut self,
        model_json: &str,
        shards: &js_sys::Object,
        seed: u64,
    ) -> Result<JsValue, JsValue> {
        let shard = |path: &str| {
            js_sys::Reflect::get(shards, &JsValue::from_str(path))
                .ok()
                .and_then(|value| value.dyn_into::<Uint8Array>().ok())
                .map(|bytes| bytes.to_vec())
                .ok_or_else(|| {
                    ConvlabError::Format(format!(
                        "model.json names the weights file '{path}', which was not given; open it together with model.json"
                    ))
                })
        };
        let model = crate::tfjs::from_artifacts(model_json, shard, seed).map_err(js_error)?;
        let view = architecture_view(model.architecture());
        self.fit = None;
        self.last_history = None;
        self.model = Some(model);
        Ok(view)
    }
}

// ---- the teaching lab (src/analysis) -------------------------------------------------------------

/// The output of `spec_json` for `input` (`batch` samples) with every weight taken from `weights`
/// (Keras `model.weights` order, flattened): the engine's side of the convolution animator.
#[wasm_bindgen(js_name = forwardWithWeights)]
pub fn forward_with_weights(
    spec_json: &str,
    weights: &[f32],
    input: &[f32],
    batch: usize,
) -> Result<Float32Array, JsValue> {
    let spec = ModelSpec::from_json(spec_json).map_err(js_error)?;
    let output = crate::analysis::probe::forward_with_weights(&spec, weights, input, batch)
        .map_err(js_error)?;
    Ok(Float32Array::from(
        output.as_slice().expect("a fresh output is contiguous"),
    ))
}

/// The optimizer playground's surface: `{bound, size, values, minima}`, `values` the loss on a
/// `size × size` grid over `[−bound, bound]²`, rows from `y = −bound` up.
#[wasm_bindgen(js_name = lossSurface)]
pub fn loss_surface(size: usize) -> JsValue {
    use crate::analysis::loss_surface::{grid, minima, BOUND};
    let size = size.clamp(2, 400);
    to_js(&serde_json::json!({
        "bound": BOUND,
        "size": size,
        "values": grid(size),
        "minima": minima(),
    }))
}

/// The path `{points, losses}` of the optimizer `config_json` (Keras `{class_name, config}`) from
/// `(x, y)` over `steps` steps on the playground's surface.
#[wasm_bindgen(js_name = optimizerPath)]
pub fn optimizer_path(config_json: &str, x: f32, y: f32, steps: usize) -> Result<JsValue, JsValue> {
    use crate::analysis::loss_surface::{descend, loss};
    let config: crate::optimizers::OptimizerConfig = serde_json::from_str(config_json)
        .map_err(|e| setting_error("optimizer", format!("cannot be read ({e})")))?;
    config.validate().map_err(js_error)?;
    let points = descend(&config, [x, y], steps);
    let losses: Vec<f32> = points.iter().map(|&p| loss(p)).collect();
    Ok(to_js(
        &serde_json::json!({"points": points, "losses": losses}),
    ))
}

/// The 3×3 matrix of the rotate / shift test for a 28×28 image (rows, last `[0, 0, 1]`).
#[wasm_bindgen(js_name = transformMatrix)]
pub fn transform_matrix(angle: f32, scale: f32, shift_x: f32, shift_y: f32) -> JsValue {
    let transform = crate::analysis::transform::ImageTransform {
        angle,
        scale,
        shift_x,
        shift_y,
    };
    to_js(&transform.matrix_3x3(28, 28))
}

/// A drawing (`height × width` ink values in [0, 1]) prepared like MNIST as 28×28 values, or
/// `undefined` when nothing is drawn.
#[wasm_bindgen(js_name = preprocessDigit)]
pub fn preprocess_digit(
    pixels: &[f32],
    height: usize,
    width: usize,
) -> Result<Option<Float32Array>, JsValue> {
    Ok(
        crate::analysis::digit_preprocess::preprocess_digit(pixels, height, width)
            .map_err(js_error)?
            .map(|image| Float32Array::from(image.as_slice())),
    )
}

#[derive(Serialize)]
struct ConfusionView<'a> {
    count: usize,
    accuracy: f32,
    matrix: Vec<Vec<usize>>,
    per_class: Vec<crate::analysis::confusion::ClassAccuracy>,
    most_confidently_wrong: &'a [crate::analysis::confusion::ImagePrediction],
}

/// Wrong predictions the evaluation panel's gallery shows.
const CONFIDENTLY_WRONG: usize = 24;

impl Playground {
    /// Runs `image` (one sample of the model's input shape) through the model in inference mode
    /// and returns the class probabilities; the image stays for `lastImage` and `layerOutput`.
    fn run_image(&mut self, image: Vec<f32>) -> Result<Float32Array, JsValue> {
        let input_shape = self.model()?.architecture().input_shape.clone();
        if image.len() != input_shape.iter().product::<usize>() {
            return Err(setting_error(
                "image",
                format!(
                    "{} values do not make an image of {input_shape:?}",
                    image.len()
                ),
            ));
        }
        let shape = crate::tensor::batch_shape(1, &input_shape);
        let image = Tensor::from_shape_vec(ndarray::IxDyn(&shape), image).expect("size checked");
        let output = self
            .model_mut()?
            .forward(&image, Mode::Infer, &mut Rng::new(0))
            .clone();
        self.image = image;
        Ok(Float32Array::from(
            output.as_slice().expect("contiguous output"),
        ))
    }
}

#[wasm_bindgen]
impl Playground {
    /// The confusion matrix of the model on the first `count` test images, with per-class
    /// accuracy and the most confidently wrong predictions:
    /// `{count, accuracy, matrix, per_class, most_confidently_wrong}`.
    #[wasm_bindgen(js_name = evaluateConfusion)]
    pub fn evaluate_confusion(&mut self, count: usize) -> Result<JsValue, JsValue> {
        let test = self.mnist()?.test.take(count);
        let confusion = Confusion::compute(self.model_mut()?, &test, 256).map_err(js_error)?;
        let wrong = confusion.most_confidently_wrong(CONFIDENTLY_WRONG);
        let view = to_js(&ConfusionView {
            count: confusion.len(),
            accuracy: confusion.accuracy(),
            matrix: confusion.matrix(),
            per_class: confusion.per_class(),
            most_confidently_wrong: &wrong,
        });
        self.confusion = Some(confusion);
        Ok(view)
    }

    /// The images of one cell of the last confusion matrix: `[{index, label, predicted,
    /// probabilities}]` in test-set order.
    #[wasm_bindgen(js_name = confusionCell)]
    pub fn confusion_cell(&self, label: usize, predicted: usize) -> Result<JsValue, JsValue> {
        let confusion = self.confusion.as_ref().ok_or_else(|| {
            setting_error("evaluation", "evaluate the model on the test set first")
        })?;
        Ok(to_js(&confusion.cell(label, predicted)))
    }

    /// The pixels (bytes, 784 per image) of the test images at `indices`, back to back.
    #[wasm_bindgen(js_name = testImages)]
    pub fn test_images(&self, indices: &[u32]) -> Result<Uint8Array, JsValue> {
        let test = &self.mnist()?.test;
        let mut bytes = Vec::new();
        for &index in indices {
            let index = index as usize;
            if index >= test.len() {
                return Err(setting_error(
                    "image",
                    format!("test image {index} does not exist"),
                ));
            }
            bytes.extend_from_slice(test.image(index));
        }
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// The class probabilities for test image `index` rotated by `angle` degrees and scaled by
    /// `scale` about its centre, then shifted by `(shift_x, shift_y)` pixels; `lastImage` then
    /// returns the transformed image.
    #[wasm_bindgen(js_name = predictTransformed)]
    pub fn predict_transformed(
        &mut self,
        index: usize,
        angle: f32,
        scale: f32,
        shift_x: f32,
        shift_y: f32,
    ) -> Result<Float32Array, JsValue> {
        let transform = crate::analysis::transform::ImageTransform {
            angle,
            scale,
            shift_x,
            shift_y,
        };
        transform.validate().map_err(js_error)?;
        let pixels = self.test_image(index)?.to_vec();
        let [height, width, channels] = self.mnist()?.test.image_shape();
        self.run_image(transform.apply(&pixels, height, width, channels))
    }

    /// The model's class probabilities for `image` (784 values in [0, 1], e.g. a preprocessed
    /// drawing); `layerOutput` then returns its feature maps.
    #[wasm_bindgen(js_name = predictImage)]
    pub fn predict_image(&mut self, image: &[f32]) -> Result<Float32Array, JsValue> {
        self.run_image(image.to_vec())
    }

    /// The image last run through the model (by `predictTransformed` or `predictImage`).
    #[wasm_bindgen(js_name = lastImage)]
    pub fn last_image(&self) -> Float32Array {
        Float32Array::from(self.image.as_slice().unwrap_or(&[]))
    }

    /// The model's accuracy on the first `count` test images, all rotated by `angle` degrees.
    #[wasm_bindgen(js_name = rotationAccuracy)]
    pub fn rotation_accuracy(&mut self, angle: f32, count: usize) -> Result<f32, JsValue> {
        let test = self.mnist()?.test.take(count);
        let transform = crate::analysis::transform::ImageTransform {
            angle,
            ..Default::default()
        };
        crate::analysis::transform::accuracy_under(self.model_mut()?, &test, &transform, 256)
            .map_err(js_error)
    }

    /// Per layer with trainable weights: `{layer, name, class_name, weights, gradients}`, each
    /// `{norm, mean_abs, limit, histogram}` with `bins` bins; the gradients of the last batch.
    #[wasm_bindgen(js_name = gradientStats)]
    pub fn gradient_stats(&self, bins: usize) -> Result<JsValue, JsValue> {
        Ok(to_js(&crate::analysis::gradient_stats::gradient_stats(
            self.model()?,
            bins,
        )))
    }
}
