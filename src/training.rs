//! Keras-style `fit`, `evaluate` and `predict`, as a step-by-step [`Fit`] so that a caller (the
//! CLI loop, or the page's worker between messages) can run one batch at a time, draw live curves
//! and stop within one batch.
//!
//! The engine measures no time (there is no clock in `wasm32-unknown-unknown`); callers time the
//! steps themselves.

use ndarray::IxDyn;
use serde::{Deserialize, Serialize};

use crate::data::augment::Augmentation;
use crate::data::batches::epoch_order;
use crate::data::dataset::Dataset;
use crate::error::{ConvlabError, Result};
use crate::layers::Mode;
use crate::loss::Loss;
use crate::metrics::correct_count;
use crate::model::{streams, Sequential};
use crate::optimizers::{Optimizer, OptimizerConfig};
use crate::rng::Rng;
use crate::size_guard::SizeEstimate;
use crate::tensor::Tensor;

/// Keras `EarlyStopping(monitor='val_loss', min_delta=0, patience=0, restore_best_weights=False)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EarlyStopping {
    /// `loss`, `accuracy`, `val_loss` or `val_accuracy`; accuracies are maximised, losses minimised.
    pub monitor: String,
    /// Smallest change that counts as an improvement.
    pub min_delta: f32,
    /// Epochs without improvement before stopping.
    pub patience: usize,
    /// Whether to end with the weights of the best epoch.
    pub restore_best_weights: bool,
}

impl Default for EarlyStopping {
    fn default() -> Self {
        EarlyStopping {
            monitor: "val_loss".into(),
            min_delta: 0.0,
            patience: 0,
            restore_best_weights: false,
        }
    }
}

impl EarlyStopping {
    fn maximise(&self) -> bool {
        self.monitor.ends_with("accuracy")
    }

    /// Keras's `_is_improvement`: `current ∓ min_delta` beats `best`.
    fn is_improvement(&self, current: f32, best: Option<f32>) -> bool {
        let delta = self.min_delta.abs();
        match best {
            None => true,
            Some(best) if self.maximise() => current - delta > best,
            Some(best) => current + delta < best,
        }
    }
}

/// Everything `compile` and `fit` take, with Keras defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingConfig {
    /// The loss (Keras name).
    pub loss: Loss,
    /// The optimizer and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// Passes over the training data.
    pub epochs: usize,
    /// Images per gradient step (Keras default 32).
    pub batch_size: usize,
    /// Fraction of the training data held out for validation (stratified, seeded).
    pub validation_split: f32,
    /// Whether to reshuffle the training data every epoch.
    pub shuffle: bool,
    /// Seed of every random choice: same seed, bit-identical run.
    pub seed: u64,
    /// Random rotation/shift/zoom of training images.
    pub augmentation: Augmentation,
    /// Stop when the monitored value stops improving.
    pub early_stopping: Option<EarlyStopping>,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            loss: Loss::CategoricalCrossentropy,
            optimizer: OptimizerConfig::from_name("adam").expect("adam exists"),
            epochs: 1,
            batch_size: 32,
            validation_split: 0.0,
            shuffle: true,
            seed: 0,
            augmentation: Augmentation::default(),
            early_stopping: None,
        }
    }
}

/// The largest number of epochs one run may ask for.
pub const MAX_EPOCHS: usize = 10_000;

impl TrainingConfig {
    /// Reads a `TrainingConfig` from JSON (the page's settings); a value of the wrong kind is a
    /// `Setting` error naming the setting (`batch_size: -3 is not allowed; use a whole number of
    /// at least 1, e.g. 32`). Call [`TrainingConfig::validate`] for the ranges.
    pub fn from_json(text: &str) -> Result<TrainingConfig> {
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text)).map_err(
            |e| {
                let path = e.path().to_string();
                let field = path.rsplit('.').next().unwrap_or(&path).to_string();
                let inner = e.inner().to_string();
                let example = match field.as_str() {
                    "batch_size" => Some("32"),
                    "epochs" => Some("5"),
                    "seed" => Some("0"),
                    _ => None,
                };
                let given = inner
                    .split(", expected")
                    .next()
                    .and_then(|head| head.split(": ").nth(1))
                    .and_then(|given| given.rsplit(' ').next())
                    .map(|given| given.replace(['`', '"'], ""));
                match (example, given) {
                    (Some(example), Some(given)) => ConvlabError::setting(
                        &field,
                        format!("{given} is not allowed; use a whole number of at least {}, e.g. {example}", usize::from(field != "seed")),
                    ),
                    _ => ConvlabError::setting(&field, format!("cannot be read ({inner})")),
                }
            },
        )
    }

    /// Checks every setting; the error names the setting and a fix.
    pub fn validate(&self) -> Result<()> {
        if self.epochs == 0 || self.epochs > MAX_EPOCHS {
            return Err(ConvlabError::setting(
                "epochs",
                format!(
                    "{} is not allowed; use 1 to {MAX_EPOCHS}, e.g. 5",
                    self.epochs
                ),
            ));
        }
        if self.batch_size == 0 {
            return Err(ConvlabError::setting(
                "batch_size",
                "0 is not allowed; use at least 1, e.g. 32 or 128",
            ));
        }
        if !(0.0..1.0).contains(&self.validation_split) {
            return Err(ConvlabError::setting(
                "validation_split",
                format!(
                    "{} is outside [0, 1); use a fraction such as 0.1",
                    self.validation_split
                ),
            ));
        }
        self.optimizer.validate()?;
        self.augmentation.validate()?;
        if let Some(early) = &self.early_stopping {
            if !["loss", "accuracy", "val_loss", "val_accuracy"].contains(&early.monitor.as_str()) {
                return Err(ConvlabError::setting(
                    "early_stopping.monitor",
                    format!(
                        "'{}' is not a logged value; use val_loss, val_accuracy, loss or accuracy",
                        early.monitor
                    ),
                ));
            }
            if !early.min_delta.is_finite() {
                return Err(ConvlabError::setting(
                    "early_stopping.min_delta",
                    "must be a finite number, e.g. 0.001",
                ));
            }
        }
        Ok(())
    }
}

/// One training batch, as the page's live curves and status line need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchLog {
    /// 0-based epoch.
    pub epoch: usize,
    /// 0-based batch within the epoch.
    pub batch: usize,
    /// Batches in one epoch.
    pub batches: usize,
    /// Images in this batch.
    pub size: usize,
    /// This batch's loss (including regularization).
    pub loss: f32,
    /// This batch's accuracy.
    pub accuracy: f32,
    /// Mean loss over the epoch so far (what Keras's progress bar shows).
    pub epoch_loss: f32,
    /// Accuracy over the epoch so far.
    pub epoch_accuracy: f32,
}

/// One finished epoch: Keras's `history.history` entries for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// 0-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch.
    pub loss: f32,
    /// Training accuracy over the epoch.
    pub accuracy: f32,
    /// Validation loss, when there is validation data.
    pub val_loss: Option<f32>,
    /// Validation accuracy, when there is validation data.
    pub val_accuracy: Option<f32>,
}

impl EpochLog {
    /// The logged value called `name` (`val_loss`), if present.
    pub fn value(&self, name: &str) -> Option<f32> {
        match name {
            "loss" => Some(self.loss),
            "accuracy" => Some(self.accuracy),
            "val_loss" => self.val_loss,
            "val_accuracy" => self.val_accuracy,
            _ => None,
        }
    }
}

/// What a run has logged so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One entry per finished epoch.
    pub epochs: Vec<EpochLog>,
    /// One entry per batch.
    pub batches: Vec<BatchLog>,
    /// The best epoch by the early-stopping monitor, when early stopping is on.
    pub best_epoch: Option<usize>,
    /// The epoch after which early stopping ended the run.
    pub stopped_epoch: Option<usize>,
}

/// What one call of [`Fit::step`] did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The batch just trained.
    pub batch: BatchLog,
    /// Set when this batch finished an epoch.
    pub epoch: Option<EpochLog>,
    /// Whether the run is over (all epochs done, or early stopping).
    pub finished: bool,
}

/// The loss and accuracy sums of a batch (or of one worker's shard of it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchStats {
    /// Sum over the images of the loss (mean loss × size).
    pub loss_sum: f64,
    /// Images classified correctly.
    pub correct: usize,
    /// Images.
    pub size: usize,
}

impl BatchStats {
    /// The stats of two shards together.
    pub fn combine(self, other: BatchStats) -> BatchStats {
        BatchStats {
            loss_sum: self.loss_sum + other.loss_sum,
            correct: self.correct + other.correct,
            size: self.size + other.size,
        }
    }
}

/// Loss and accuracy of a model on a dataset (`model.evaluate`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Mean loss, including the regularization penalty, as Keras reports it.
    pub loss: f32,
    /// Fraction classified correctly.
    pub accuracy: f32,
}

/// Writes the targets `loss` expects for `indices`: class indices for the sparse loss, one-hot
/// rows otherwise.
fn fill_targets(data: &Dataset, loss: Loss, indices: &[usize], targets: &mut Tensor) {
    match loss {
        Loss::SparseCategoricalCrossentropy => data.fill_sparse_targets(indices, targets),
        _ => data.fill_one_hot_targets(indices, targets),
    }
}

/// Checks that `data` fits `model` (image shape and number of classes).
fn check_data_fits(model: &Sequential, data: &Dataset, what: &str) -> Result<()> {
    let architecture = model.architecture();
    if data.image_shape().as_slice() != architecture.input_shape.as_slice() {
        return Err(ConvlabError::Shape(format!(
            "the {what} images are {:?} but the model expects {:?}; set the input shape to {:?}",
            data.image_shape(),
            architecture.input_shape,
            data.image_shape()
        )));
    }
    let outputs = architecture.output_shape();
    if outputs != [data.classes()] {
        return Err(ConvlabError::Shape(format!(
            "the model outputs {} but the {what} data has {} classes; make the last layer Dense({}, activation='softmax')",
            crate::summary::format_shape(outputs),
            data.classes(),
            data.classes()
        )));
    }
    Ok(())
}

/// `model.evaluate(data)`: mean loss (with the regularization penalty) and accuracy in inference
/// mode, `batch_size` images at a time.
pub fn evaluate(
    model: &mut Sequential,
    data: &Dataset,
    loss: Loss,
    batch_size: usize,
) -> Result<Evaluation> {
    check_data_fits(model, data, "evaluation")?;
    if data.is_empty() {
        return Err(ConvlabError::setting(
            "data",
            "there are no images to evaluate on",
        ));
    }
    let order: Vec<usize> = (0..data.len()).collect();
    let mut images = Tensor::zeros(IxDyn(&[0]));
    let mut targets = Tensor::zeros(IxDyn(&[0]));
    let mut rng = Rng::new(0);
    let (mut loss_sum, mut correct) = (0.0f64, 0usize);
    for indices in order.chunks(batch_size.max(1)) {
        data.fill_images(indices, &mut images);
        fill_targets(data, loss, indices, &mut targets);
        let output = model.forward(&images, Mode::Infer, &mut rng);
        loss_sum += loss.compute(output, &targets) as f64 * indices.len() as f64;
        correct += correct_count(output, &targets);
    }
    Ok(Evaluation {
        loss: (loss_sum / data.len() as f64) as f32 + model.regularization_penalty(),
        accuracy: correct as f32 / data.len() as f32,
    })
}

/// The runaway guard stops a run when one update moves the weights further than this multiple
/// of their own size (`‖Δw‖ > ratio · ‖w‖` over every weight). Measured on the lesson CNN and MLP
/// (60 batches of 32 MNIST images): every run that trained had a largest ratio ≤ 0.51 (Adam 0.01:
/// 0.25, RMSprop 0.01: 0.50, SGD 1 on the MLP: 0.43); every run above 1 ended at chance accuracy
/// with dead ReLUs or an exploded loss (Adam 0.1: 2.5, SGD 1 on the CNN: 2.3, SGD 10: 61, Adam 10:
/// 245), while its loss stayed finite.
pub const MAX_UPDATE_RATIO: f64 = 1.0;

/// `NaN`, `infinite` or `-infinite`, for a value that is not finite.
fn non_finite_name(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "infinite"
    } else {
        "-infinite"
    }
}

/// A training run in progress: Keras's `fit`, one batch per [`Fit::step`].
pub struct Fit {
    model: Sequential,
    optimizer: Box<dyn Optimizer>,
    config: TrainingConfig,
    train: Dataset,
    validation: Option<Dataset>,
    order: Vec<usize>,
    epoch: usize,
    cursor: usize,
    epoch_loss_sum: f64,
    epoch_correct: usize,
    epoch_seen: usize,
    shuffle_rng: Rng,
    dropout_rng: Rng,
    augmentation_rng: Rng,
    images: Tensor,
    targets: Tensor,
    augmentation_scratch: Vec<f32>,
    history: History,
    best: Option<f32>,
    wait: usize,
    best_weights: Option<Vec<Tensor>>,
    /// The runaway guard's copy of the last weights that gave a finite loss, preallocated so that
    /// a step copies into it without allocating.
    last_good_weights: Vec<f32>,
    finished: bool,
}

impl Fit {
    /// Checks everything [`Fit::new`] checks without taking the model, so a caller can keep its
    /// model when a setting is wrong.
    pub fn check(
        model: &Sequential,
        train: &Dataset,
        validation: Option<&Dataset>,
        config: &TrainingConfig,
    ) -> Result<()> {
        config.validate()?;
        SizeEstimate::for_training(model.architecture(), config.batch_size, &config.optimizer)
            .check_budget()?;
        check_data_fits(model, train, "training")?;
        let held_out = (train.len() as f32 * config.validation_split).round() as usize;
        if train.is_empty() || held_out >= train.len() {
            return Err(ConvlabError::setting(
                "training data",
                "there are no training images left; use a larger training-set size",
            ));
        }
        if let Some(validation) = validation {
            check_data_fits(model, validation, "validation")?;
        }
        if let Some(early) = &config.early_stopping {
            let has_validation =
                validation.map_or(config.validation_split > 0.0, |v| !v.is_empty());
            if early.monitor.starts_with("val_") && !has_validation {
                return Err(ConvlabError::setting(
                    "early_stopping.monitor",
                    format!("'{}' needs validation data; set a validation split such as 0.1, or monitor 'loss'", early.monitor),
                ));
            }
        }
        Ok(())
    }

    /// Prepares `model.fit(train, validation_data=validation)` with `config`. Without explicit
    /// validation data, `config.validation_split` holds out a stratified, seeded share of `train`.
    pub fn new(
        mut model: Sequential,
        train: Dataset,
        validation: Option<Dataset>,
        config: TrainingConfig,
    ) -> Result<Fit> {
        Fit::check(&model, &train, validation.as_ref(), &config)?;
        let (train, validation) = match validation {
            Some(validation) => (train, Some(validation)),
            None if config.validation_split > 0.0 => {
                let (train, validation) =
                    train.stratified_split(config.validation_split, config.seed)?;
                (train, Some(validation))
            }
            None => (train, None),
        };
        model.fuse_softmax_with(config.loss);
        let mut last_good_weights = Vec::new();
        model.copy_weights_into(&mut last_good_weights);
        let seed = config.seed;
        Ok(Fit {
            model,
            optimizer: config.optimizer.build(),
            order: (0..train.len()).collect(),
            train,
            validation,
            epoch: 0,
            cursor: 0,
            epoch_loss_sum: 0.0,
            epoch_correct: 0,
            epoch_seen: 0,
            shuffle_rng: Rng::derive(seed, streams::SHUFFLE),
            dropout_rng: Rng::derive(seed, streams::DROPOUT),
            augmentation_rng: Rng::derive(seed, streams::AUGMENTATION),
            images: Tensor::zeros(IxDyn(&[0])),
            targets: Tensor::zeros(IxDyn(&[0])),
            augmentation_scratch: Vec::new(),
            history: History::default(),
            best: None,
            wait: 0,
            best_weights: None,
            last_good_weights,
            finished: false,
            config,
        })
    }

    /// Batches in one epoch (the last may be smaller, as in Keras).
    pub fn batches_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.config.batch_size)
    }

    /// Trains one batch; at the end of an epoch also validates and applies early stopping.
    /// Calling it after the run finished is an error.
    pub fn step(&mut self) -> Result<Step> {
        let shard = self.compute_gradients(0, 1)?;
        self.apply_gradients(shard)
    }

    /// The first half of a step, for data-parallel training over several workers that each hold
    /// an identical `Fit`: forward and backward on shard `shard` of `shards` equal parts of the
    /// current batch, leaving the shard's mean gradients in the model (read them with
    /// [`Fit::read_gradients`]). One worker: `compute_gradients(0, 1)`.
    pub fn compute_gradients(&mut self, shard: usize, shards: usize) -> Result<BatchStats> {
        if self.finished {
            return Err(ConvlabError::setting(
                "training",
                "this run has finished; start a new one",
            ));
        }
        if shards == 0 || shard >= shards {
            return Err(ConvlabError::setting(
                "shard",
                format!("shard {shard} of {shards} does not exist"),
            ));
        }
        if self.cursor == 0 {
            self.order = epoch_order(self.train.len(), self.config.shuffle, &mut self.shuffle_rng);
            // Room for this epoch's batch logs, so the steps inside an epoch allocate nothing.
            self.history.batches.reserve(self.batches_per_epoch());
            self.epoch_loss_sum = 0.0;
            self.epoch_correct = 0;
            self.epoch_seen = 0;
        }
        let end = (self.cursor + self.config.batch_size).min(self.order.len());
        let batch = &self.order[self.cursor..end];
        let indices = &batch[batch.len() * shard / shards..batch.len() * (shard + 1) / shards];
        let size = indices.len();
        if size == 0 {
            self.model.for_each_trainable(|_, _, grad| grad.fill(0.0));
            return Ok(BatchStats {
                loss_sum: 0.0,
                correct: 0,
                size: 0,
            });
        }
        self.train.fill_images(indices, &mut self.images);
        fill_targets(&self.train, self.config.loss, indices, &mut self.targets);
        if !self.config.augmentation.is_none() {
            self.config.augmentation.apply(
                &mut self.images,
                &mut self.augmentation_rng,
                &mut self.augmentation_scratch,
            );
        }
        self.model
            .forward(&self.images, Mode::Train, &mut self.dropout_rng);
        let loss = self
            .model
            .backward(&self.images, &self.targets, self.config.loss);
        let correct = correct_count(self.model.output(), &self.targets);
        Ok(BatchStats {
            loss_sum: loss as f64 * size as f64,
            correct,
            size,
        })
    }

    /// The number of `f32`s [`Fit::read_gradients`] writes: every trainable weight.
    pub fn gradient_len(&mut self) -> usize {
        let mut len = 0;
        self.model
            .for_each_trainable(|_, _, grad| len += grad.len());
        len
    }

    /// Copies the gradients of the last [`Fit::compute_gradients`] into `flat`, in slot order,
    /// each multiplied by `scale` (a worker sends its gradients scaled by its shard size, so the
    /// coordinator's sum divided by the batch size is the whole batch's mean gradient).
    pub fn read_gradients(&mut self, flat: &mut [f32], scale: f32) {
        let mut offset = 0;
        self.model.for_each_trainable(|_, _, grad| {
            for (out, g) in flat[offset..offset + grad.len()]
                .iter_mut()
                .zip(grad.iter())
            {
                *out = g * scale;
            }
            offset += grad.len();
        });
    }

    /// Replaces the model's gradients with `flat` (slot order), e.g. the average over workers.
    pub fn write_gradients(&mut self, flat: &[f32]) {
        let mut offset = 0;
        self.model.for_each_trainable(|_, _, grad| {
            for (g, value) in grad.iter_mut().zip(&flat[offset..]) {
                *g = *value;
            }
            offset += grad.len();
        });
    }

    /// The second half of a step: the optimizer update from the gradients in the model, then the
    /// batch's bookkeeping with `batch` (for several workers: the sums over their shards).
    ///
    /// The runaway guard: a non-finite loss, or a weight that the update made non-finite, ends the
    /// run with [`ConvlabError::Diverged`]; the model is left with the last weights that gave a
    /// finite loss and the history keeps every good batch.
    pub fn apply_gradients(&mut self, batch: BatchStats) -> Result<Step> {
        if self.finished {
            return Err(ConvlabError::setting(
                "training",
                "this run has finished; start a new one",
            ));
        }
        if !batch.loss_sum.is_finite() {
            let loss = batch.loss_sum / batch.size.max(1) as f64;
            return Err(self.diverge(&format!("the loss became {}", non_finite_name(loss))));
        }
        self.model.copy_weights_into(&mut self.last_good_weights);
        self.optimizer.begin_step();
        let optimizer = &mut self.optimizer;
        self.model
            .for_each_trainable(|slot, value, grad| optimizer.update(slot, value, grad));
        let (change, size) = self.model.change_since(&self.last_good_weights);
        if !change.is_finite() {
            return Err(self.diverge("the update made some weights NaN or infinite"));
        }
        if size > 0.0 && change > MAX_UPDATE_RATIO * size {
            return Err(self.diverge(&format!(
                "one update moved the weights {:.1} times as far as their own size (‖Δw‖/‖w‖ above {MAX_UPDATE_RATIO}), which wipes out what the model has learned (its ReLUs die or its loss explodes)",
                change / size
            )));
        }

        let end = (self.cursor + self.config.batch_size).min(self.order.len());
        let size = end - self.cursor;
        let loss = (batch.loss_sum / size as f64) as f32;
        self.epoch_loss_sum += batch.loss_sum;
        self.epoch_correct += batch.correct;
        self.epoch_seen += size;
        let log = BatchLog {
            epoch: self.epoch,
            batch: self.cursor / self.config.batch_size,
            batches: self.batches_per_epoch(),
            size,
            loss,
            accuracy: batch.correct as f32 / size as f32,
            epoch_loss: (self.epoch_loss_sum / self.epoch_seen as f64) as f32,
            epoch_accuracy: self.epoch_correct as f32 / self.epoch_seen as f32,
        };
        self.history.batches.push(log.clone());
        self.cursor = end;
        let epoch = if self.cursor == self.order.len() {
            Some(self.end_epoch(&log)?)
        } else {
            None
        };
        Ok(Step {
            batch: log,
            epoch,
            finished: self.finished,
        })
    }

    fn end_epoch(&mut self, last: &BatchLog) -> Result<EpochLog> {
        let validation = match &self.validation {
            Some(data) if !data.is_empty() => Some(evaluate(
                &mut self.model,
                data,
                self.config.loss,
                self.config.batch_size.max(256),
            )?),
            _ => None,
        };
        let log = EpochLog {
            epoch: self.epoch,
            loss: last.epoch_loss,
            accuracy: last.epoch_accuracy,
            val_loss: validation.map(|v| v.loss),
            val_accuracy: validation.map(|v| v.accuracy),
        };
        self.history.epochs.push(log.clone());
        self.cursor = 0;
        self.epoch += 1;
        if self.early_stop_after(&log) || self.epoch == self.config.epochs {
            self.finish();
        }
        Ok(log)
    }

    /// Ends the run because `what` happened in the current batch: restores the last good weights
    /// and returns the error that says so, with what to try.
    fn diverge(&mut self, what: &str) -> ConvlabError {
        self.model.restore_weights_from(&self.last_good_weights);
        self.best_weights = None;
        self.finished = true;
        let learning_rate = self.config.optimizer.learning_rate();
        let default_rate = OptimizerConfig::from_name(self.config.optimizer.name())
            .map_or(0.001, |config| config.learning_rate());
        let mut advice = format!(
            "lower the learning rate (now {learning_rate}; {}'s default is {default_rate}) and train again",
            self.config.optimizer.name()
        );
        if self.model.uses_sigmoid() {
            advice.push_str("; sigmoid layers saturate, so try activation='relu' instead");
        }
        ConvlabError::Diverged {
            epoch: self.epoch + 1,
            batch: self.cursor / self.config.batch_size + 1,
            message: format!(
                "{what}, so training stopped; the model keeps the last weights that gave a finite loss and the curves so far. To fix it: {advice}"
            ),
        }
    }

    /// Keras `EarlyStopping.on_epoch_end`; true when training should stop.
    fn early_stop_after(&mut self, log: &EpochLog) -> bool {
        let Some(early) = self.config.early_stopping.clone() else {
            return false;
        };
        let Some(current) = log.value(&early.monitor) else {
            return false;
        };
        if early.restore_best_weights && self.best_weights.is_none() {
            self.best_weights = Some(self.model.snapshot_weights());
            self.history.best_epoch = Some(log.epoch);
        }
        self.wait += 1;
        if early.is_improvement(current, self.best) {
            self.best = Some(current);
            self.history.best_epoch = Some(log.epoch);
            if early.restore_best_weights {
                self.best_weights = Some(self.model.snapshot_weights());
            }
            self.wait = 0;
            return false;
        }
        if self.wait >= early.patience && log.epoch > 0 {
            self.history.stopped_epoch = Some(log.epoch);
            return true;
        }
        false
    }

    /// Ends the run now (the Stop button, or the last epoch): restores the best weights when
    /// early stopping asks for it.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        if let Some(weights) = self.best_weights.take() {
            self.model
                .set_weights(weights)
                .expect("a snapshot of the same model always fits");
        }
    }

    /// Runs every remaining step, calling `on_step` after each; `on_step` returning false stops.
    pub fn run(&mut self, mut on_step: impl FnMut(&Step) -> bool) -> Result<()> {
        while !self.finished {
            let step = self.step()?;
            if !on_step(&step) {
                self.finish();
            }
        }
        Ok(())
    }

    /// Whether the run is over.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The history so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The model being trained.
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Mutable access to the model (predictions and feature maps between steps).
    pub fn model_mut(&mut self) -> &mut Sequential {
        &mut self.model
    }

    /// The trained model and its history.
    pub fn into_parts(self) -> (Sequential, History) {
        (self.model, self.history)
    }
}
