//! The size guard: before a model is built or trained, how much memory it will take and how much
//! arithmetic one image costs, layer by layer, so that a model too big for a browser tab is an
//! error naming the layer responsible instead of an out-of-memory crash, and every model can show
//! "≈ 25 s per epoch".
//!
//! The memory figure counts what the engine keeps (see `model.rs` and each layer): every weight
//! with its gradient, the optimizer's slots and the runaway guard's copy of the last good weights;
//! per layer the output and its gradient for a training batch, and the layer's scratch (a
//! Conv2D's im2col patches, a pooling layer's winners, a dropout mask). Forward buffers also grow
//! to the evaluation batch (validation and the test set run [`EVALUATION_BATCH`] images at a
//! time), and wasm memory never shrinks, so each buffer counts at its largest size.

use serde::Serialize;

use crate::error::{ConvlabError, Result};
use crate::optimizers::OptimizerConfig;
use crate::spec::{Architecture, LayerKind, LayerPlan};

/// The memory a model may need, in bytes: 512 MiB of the 4 GiB a wasm32 instance can address, so
/// that the page, the data and the browser keep room to breathe.
pub const MEMORY_BUDGET_BYTES: u64 = 512 * 1024 * 1024;

/// Images per forward batch when evaluating (validation, test set, confusion matrix).
pub const EVALUATION_BATCH: usize = 256;

/// The arithmetic rate assumed before anything has been measured (FLOP/s): the lesson CNN trains
/// at 579 images/s in Chromium on the project's machine (`docs/performance.md`), and one image
/// costs it 16.98 MFLOP (forward and backward), ≈ 9.8 GFLOP/s. The page replaces it with the rate
/// of the last run as soon as there is one.
pub const DEFAULT_FLOPS_PER_SECOND: f64 = 9.8e9;

const F32_BYTES: u64 = 4;

/// One layer's share of the estimate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerEstimate {
    /// 1-based position in the model.
    pub index: usize,
    /// The layer's name (`conv2d_1`).
    pub name: String,
    /// The Keras class name (`Conv2D`).
    pub class_name: &'static str,
    /// Values of the layer's output for one image (the activations it keeps).
    pub activations_per_image: usize,
    /// Values of the layer's scratch for one image (im2col patches, pooling winners, mask).
    pub scratch_per_image: usize,
    /// Weights (trainable and not).
    pub weights: usize,
    /// Floating-point operations of the forward pass for one image (a multiply-add is 2).
    pub forward_flops: u64,
    /// Floating-point operations of forward and backward for one image.
    pub training_flops: u64,
    /// Bytes this layer needs at the estimate's batch size: its weights with their gradients,
    /// optimizer slots and guard copy, its activations, their gradients and its scratch.
    pub bytes: u64,
}

/// The estimate of a whole model at one batch size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeEstimate {
    /// Images per training batch the estimate is for (0: building and predicting only).
    pub batch_size: usize,
    /// Per layer, in model order.
    pub layers: Vec<LayerEstimate>,
    /// Weights, their gradients, the optimizer's slots and the guard's copy.
    pub weight_bytes: u64,
    /// Activations, their gradients, scratch, and the input and target batches.
    pub activation_bytes: u64,
    /// Everything.
    pub total_bytes: u64,
    /// Forward operations for one image.
    pub forward_flops: u64,
    /// Forward and backward operations for one image.
    pub training_flops: u64,
    /// The budget the estimate is checked against.
    pub budget_bytes: u64,
}

/// Floating-point operations of `plan`'s forward pass for one image, and of its backward pass
/// (the weight gradients, plus the input gradient when `needs_input_grad`).
fn layer_flops(plan: &LayerPlan, needs_input_grad: bool) -> (u64, u64) {
    let input: u64 = plan.input_shape.iter().product::<usize>() as u64;
    let output: u64 = plan.output_shape.iter().product::<usize>() as u64;
    match &plan.kind {
        LayerKind::Conv2D(config) => {
            let patch =
                (config.kernel_size[0] * config.kernel_size[1] * plan.input_shape[2]) as u64;
            let product = 2 * output * patch;
            let backward = product + if needs_input_grad { product } else { 0 };
            (product + output, backward + output)
        }
        LayerKind::Dense(config) => {
            let product = 2 * input * config.units as u64;
            let backward = product + if needs_input_grad { product } else { 0 };
            (product + output, backward + output)
        }
        LayerKind::Pooling2D(config) => {
            // A window reads only its cells inside the image: with 'same' padding the pool may be
            // larger than the image (any size Keras takes), and its full area would overflow.
            let window = (config.pool_size[0].min(plan.input_shape[0]) as u64)
                * (config.pool_size[1].min(plan.input_shape[1]) as u64);
            (output * window, output * window)
        }
        LayerKind::BatchNormalization(_) => (4 * output, 8 * output),
        LayerKind::Flatten(_) => (0, 0),
        _ => (output, 2 * output),
    }
}

/// Values of `plan`'s scratch for one image.
fn layer_scratch(plan: &LayerPlan) -> usize {
    let output: usize = plan.output_shape.iter().product();
    match &plan.kind {
        LayerKind::Conv2D(config) => {
            output / config.filters
                * config.kernel_size[0]
                * config.kernel_size[1]
                * plan.input_shape[2]
        }
        LayerKind::Pooling2D(_) | LayerKind::Dropout(_) => output,
        _ => 0,
    }
}

/// Human bytes: `1.3 GB`, `640 MB`, `48 KB` (powers of 1024, as the budget is).
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 || value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

impl SizeEstimate {
    /// Training `architecture` with batches of `batch_size` and `optimizer`.
    pub fn for_training(
        architecture: &Architecture,
        batch_size: usize,
        optimizer: &OptimizerConfig,
    ) -> SizeEstimate {
        // Each weight: its value, its gradient, the guard's copy and the optimizer's slots.
        let copies_per_weight = 3 + optimizer.slots_per_weight() as u64;
        SizeEstimate::new(architecture, batch_size, copies_per_weight)
    }

    /// Building `architecture` and predicting with it (no training run yet).
    pub fn for_building(architecture: &Architecture) -> SizeEstimate {
        SizeEstimate::new(architecture, 0, 2)
    }

    fn new(architecture: &Architecture, batch_size: usize, copies_per_weight: u64) -> SizeEstimate {
        let forward_batch = batch_size.max(EVALUATION_BATCH) as u64;
        let batch = batch_size as u64;
        let mut trainable_before = false;
        let layers: Vec<LayerEstimate> = architecture
            .layers
            .iter()
            .enumerate()
            .map(|(i, plan)| {
                let (forward_flops, backward_flops) = layer_flops(plan, trainable_before);
                trainable_before |= plan.params.trainable > 0;
                let activations: usize = plan.output_shape.iter().product();
                let scratch = layer_scratch(plan);
                let weights = plan.params.total();
                let bytes = F32_BYTES
                    * (forward_batch * (activations + scratch) as u64
                        + batch * activations as u64
                        + copies_per_weight * weights as u64);
                LayerEstimate {
                    index: i + 1,
                    name: plan.name.clone(),
                    class_name: plan.class_name(),
                    activations_per_image: activations,
                    scratch_per_image: scratch,
                    weights,
                    forward_flops,
                    training_flops: forward_flops + backward_flops,
                    bytes,
                }
            })
            .collect();
        let weight_bytes: u64 = layers
            .iter()
            .map(|l| F32_BYTES * copies_per_weight * l.weights as u64)
            .sum();
        let inputs: u64 = architecture.input_shape.iter().product::<usize>() as u64;
        let outputs: u64 = architecture.output_shape().iter().product::<usize>() as u64;
        // The input batch and the targets (and the softmax probabilities beside the logits).
        let batch_bytes = F32_BYTES * forward_batch * (inputs + 2 * outputs);
        let layer_bytes: u64 = layers.iter().map(|l| l.bytes).sum();
        let activation_bytes = layer_bytes - weight_bytes + batch_bytes;
        SizeEstimate {
            batch_size,
            forward_flops: layers.iter().map(|l| l.forward_flops).sum(),
            training_flops: layers.iter().map(|l| l.training_flops).sum(),
            layers,
            weight_bytes,
            activation_bytes,
            total_bytes: weight_bytes + activation_bytes,
            budget_bytes: MEMORY_BUDGET_BYTES,
        }
    }

    /// Values of all layers' outputs for one image (what a forward pass keeps).
    pub fn activations_per_image(&self) -> usize {
        self.layers.iter().map(|l| l.activations_per_image).sum()
    }

    /// The layer that needs the most memory.
    pub fn largest_layer(&self) -> &LayerEstimate {
        self.layers
            .iter()
            .max_by_key(|l| l.bytes)
            .expect("an architecture has layers")
    }

    /// Seconds one epoch of `train_images` (plus `validation_images` evaluated at its end) takes
    /// at `flops_per_second`.
    pub fn seconds_per_epoch(
        &self,
        train_images: usize,
        validation_images: usize,
        flops_per_second: f64,
    ) -> f64 {
        let flops = self.training_flops as f64 * train_images as f64
            + self.forward_flops as f64 * validation_images as f64;
        flops / flops_per_second.max(1.0)
    }

    /// An error naming the largest layer when the estimate is above the budget.
    pub fn check_budget(&self) -> Result<()> {
        if self.total_bytes <= self.budget_bytes {
            return Ok(());
        }
        let largest = self.largest_layer();
        let what = if self.batch_size == 0 {
            "building this model needs".to_string()
        } else {
            format!("training at batch size {} needs", self.batch_size)
        };
        let fix = if self.batch_size > 1 && largest.activations_per_image > 0 {
            "lower the batch size (e.g. 32), or use fewer filters/units or pooling/strides earlier"
        } else {
            "use fewer filters/units, or add pooling or strides before this layer"
        };
        Err(ConvlabError::Size {
            index: largest.index,
            name: largest.name.clone(),
            class_name: largest.class_name.to_string(),
            message: format!(
                "{what} ≈ {} (weights {}, activations {}), more than the {} budget of a browser tab; this layer alone needs ≈ {}: {fix}",
                format_bytes(self.total_bytes),
                format_bytes(self.weight_bytes),
                format_bytes(self.activation_bytes),
                format_bytes(self.budget_bytes),
                format_bytes(largest.bytes),
            ),
        })
    }
}
