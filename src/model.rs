//! `Sequential`: a stack of built layers with the buffers that carry activations forward and
//! gradients backward. Buffers are kept between batches so a training step allocates nothing once
//! the batch size is stable.

use ndarray::{Axis, IxDyn};

use crate::activation::{softmax_last_axis_in_place, Activation};
use crate::error::{ConvlabError, Result};
use crate::layers::{Layer, Mode};
use crate::loss::Loss;
use crate::rng::Rng;
use crate::spec::{Architecture, ModelSpec};
use crate::tensor::{batch_shape, ensure_shape, Tensor};

/// Random streams derived from a seed, one per purpose, so that changing one setting does not
/// reshuffle the others.
pub mod streams {
    /// Initial weights.
    pub const WEIGHTS: u64 = 1;
    /// Epoch shuffling.
    pub const SHUFFLE: u64 = 2;
    /// Dropout masks.
    pub const DROPOUT: u64 = 3;
    /// Augmentation transforms.
    pub const AUGMENTATION: u64 = 4;
}

/// A built Keras `Sequential` model.
pub struct Sequential {
    architecture: Architecture,
    layers: Vec<Box<dyn Layer>>,
    /// `outputs[i]`: the output of layer `i` for the last forward batch.
    outputs: Vec<Tensor>,
    /// `grads[i]`: dLoss/d`outputs[i]` during backward (scratch).
    grads: Vec<Tensor>,
    /// `needs_input_grad[i]`: whether some layer before `i` has trainable weights.
    needs_input_grad: Vec<bool>,
    /// Set when the last layer's softmax was moved out of the layer to be fused with a
    /// cross-entropy loss (as Keras does); `probabilities` then holds the softmax output.
    softmax_fused: bool,
    probabilities: Tensor,
}

impl Sequential {
    /// Builds `architecture` with weights initialised from `seed`.
    pub fn new(architecture: Architecture, seed: u64) -> Sequential {
        let mut rng = Rng::derive(seed, streams::WEIGHTS);
        let layers: Vec<Box<dyn Layer>> = architecture
            .layers
            .iter()
            .map(|plan| plan.kind.config().build(&plan.input_shape, &mut rng))
            .collect();
        let mut needs_input_grad = Vec::with_capacity(layers.len());
        let mut trainable_before = false;
        for (layer, plan) in layers.iter().zip(&architecture.layers) {
            needs_input_grad.push(trainable_before);
            trainable_before |= plan.trainable && layer.params().iter().any(|p| p.trainable);
        }
        let empty = || Tensor::zeros(IxDyn(&[0]));
        Sequential {
            outputs: (0..layers.len()).map(|_| empty()).collect(),
            grads: (0..layers.len()).map(|_| empty()).collect(),
            needs_input_grad,
            layers,
            architecture,
            softmax_fused: false,
            probabilities: empty(),
        }
    }

    /// Checks `spec` and builds it with weights initialised from `seed`.
    pub fn from_spec(spec: &ModelSpec, seed: u64) -> Result<Sequential> {
        Ok(Sequential::new(Architecture::from_spec(spec)?, seed))
    }

    /// The checked architecture (shapes, counts, arithmetic, the spec as written).
    pub fn architecture(&self) -> &Architecture {
        &self.architecture
    }

    /// Keras's `model.summary()` text.
    pub fn summary(&self) -> String {
        crate::summary::summary(&self.architecture)
    }

    /// The built layers, in order (for weights, gradients and feature maps).
    pub fn layers(&self) -> &[Box<dyn Layer>] {
        &self.layers
    }

    /// Each layer's output for the last forward batch (feature maps).
    pub fn layer_outputs(&self) -> &[Tensor] {
        &self.outputs
    }

    /// Moves a final softmax out of the last layer so that `loss` can be computed from logits
    /// (numerically stable, as Keras does for softmax + cross-entropy). Returns whether it did.
    pub(crate) fn fuse_softmax_with(&mut self, loss: Loss) -> bool {
        if self.softmax_fused || !loss.fuses_with_softmax() {
            return self.softmax_fused;
        }
        if let Some(activation) = self
            .layers
            .last_mut()
            .and_then(|layer| layer.activation_mut())
        {
            if *activation == Activation::Softmax {
                *activation = Activation::Linear;
                self.softmax_fused = true;
            }
        }
        self.softmax_fused
    }

    /// Runs `input` (batch first, NHWC) through every layer and returns the model's output
    /// (class probabilities for a softmax model).
    pub fn forward(&mut self, input: &Tensor, mode: Mode, rng: &mut Rng) -> &Tensor {
        for i in 0..self.layers.len() {
            let (before, rest) = self.outputs.split_at_mut(i);
            let layer_input = if i == 0 { input } else { &before[i - 1] };
            self.layers[i].forward(layer_input, &mut rest[0], mode, rng);
        }
        if self.softmax_fused {
            let logits = self.outputs.last().expect("a model has layers");
            ensure_shape(&mut self.probabilities, logits.shape());
            self.probabilities.assign(logits);
            softmax_last_axis_in_place(&mut self.probabilities);
        }
        self.output()
    }

    /// The model's output for the last forward batch.
    pub fn output(&self) -> &Tensor {
        if self.softmax_fused {
            &self.probabilities
        } else {
            self.outputs.last().expect("a model has layers")
        }
    }

    /// After [`Sequential::forward`] in training mode: the mean `loss` of the batch against
    /// `targets`, and the gradient of every trainable weight (left in each `Param::grad`),
    /// including the weights' regularization penalties, which the returned loss includes.
    pub fn backward(&mut self, input: &Tensor, targets: &Tensor, loss: Loss) -> f32 {
        let last = self.layers.len() - 1;
        let data_loss = if self.softmax_fused {
            loss.from_logits(
                &self.outputs[last],
                targets,
                &mut self.probabilities,
                &mut self.grads[last],
            )
        } else {
            loss.gradient(&self.outputs[last], targets, &mut self.grads[last]);
            loss.compute(&self.outputs[last], targets)
        };
        for i in (0..self.layers.len()).rev() {
            let (grads_before, grads_rest) = self.grads.split_at_mut(i);
            let layer_input = if i == 0 { input } else { &self.outputs[i - 1] };
            let grad_input = if self.needs_input_grad[i] {
                grads_before.last_mut()
            } else {
                None
            };
            self.layers[i].backward(
                layer_input,
                &self.outputs[i],
                &mut grads_rest[0],
                grad_input,
            );
            if !self.needs_input_grad[i] {
                // No layer before this one trains (they are frozen or have no weights), so their
                // output gradients were never computed and are not needed.
                break;
            }
        }
        let mut penalty = 0.0;
        for layer in &mut self.layers {
            for param in layer.params_mut().iter_mut().filter(|p| p.trainable) {
                penalty += param.regularizer.penalty(&param.value);
                param
                    .regularizer
                    .add_gradient(&param.value, &mut param.grad);
            }
        }
        data_loss + penalty
    }

    /// The regularization penalty of the current weights (Keras's `sum(model.losses)`).
    pub fn regularization_penalty(&self) -> f32 {
        self.layers
            .iter()
            .flat_map(|layer| layer.params())
            .filter(|p| p.trainable)
            .map(|p| p.regularizer.penalty(&p.value))
            .sum()
    }

    /// Calls `visit(slot, value, grad)` for every weight the optimizer trains, `slot` numbering
    /// them in model order (frozen layers and moving statistics are skipped).
    pub fn for_each_trainable(&mut self, mut visit: impl FnMut(usize, &mut Tensor, &mut Tensor)) {
        let mut slot = 0;
        for (layer, plan) in self.layers.iter_mut().zip(&self.architecture.layers) {
            for param in layer.params_mut().iter_mut().filter(|p| p.trainable) {
                if plan.trainable {
                    visit(slot, &mut param.value, &mut param.grad);
                }
                slot += 1;
            }
        }
    }

    /// The model's output for `images` in inference mode, `batch_size` images at a time.
    pub fn predict(&mut self, images: &Tensor, batch_size: usize) -> Tensor {
        let count = images.shape()[0];
        let mut predictions =
            Tensor::zeros(IxDyn(&batch_shape(count, self.architecture.output_shape())));
        let mut rng = Rng::new(0);
        for start in (0..count).step_by(batch_size.max(1)) {
            let end = (start + batch_size.max(1)).min(count);
            let batch = images.slice_axis(Axis(0), (start..end).into()).to_owned();
            let output = self.forward(&batch, Mode::Infer, &mut rng);
            predictions
                .slice_axis_mut(Axis(0), (start..end).into())
                .assign(output);
        }
        predictions
    }

    /// Every weight as `("layer_name/param_name", tensor)`, in Keras `model.weights` order
    /// (the names TensorFlow.js uses in a weights manifest).
    pub fn weights(&self) -> Vec<(String, &Tensor)> {
        self.layers
            .iter()
            .zip(&self.architecture.layers)
            .flat_map(|(layer, plan)| {
                layer
                    .params()
                    .iter()
                    .map(move |p| (format!("{}/{}", plan.name, p.name), &p.value))
            })
            .collect()
    }

    /// Replaces every weight, in [`Sequential::weights`] order; the count and each shape must
    /// match, or nothing is changed.
    pub fn set_weights(&mut self, weights: Vec<Tensor>) -> Result<()> {
        let expected = self.weights();
        if weights.len() != expected.len() {
            return Err(ConvlabError::Format(format!(
                "the model has {} weight tensors but {} were given",
                expected.len(),
                weights.len()
            )));
        }
        for ((name, current), new) in expected.iter().zip(&weights) {
            if current.shape() != new.shape() {
                return Err(ConvlabError::Format(format!(
                    "weight '{name}' has shape {:?} in the model but {:?} in the file",
                    current.shape(),
                    new.shape()
                )));
            }
            if new.iter().any(|v| !v.is_finite()) {
                return Err(ConvlabError::Format(format!(
                    "weight '{name}' contains NaN or infinite values (saved from a run that diverged?): train it again with a lower learning rate and save it again"
                )));
            }
        }
        let mut new = weights.into_iter();
        for layer in &mut self.layers {
            for param in layer.params_mut() {
                param.value = new.next().expect("counted above");
            }
        }
        Ok(())
    }

    /// A copy of every weight (for restoring the best epoch).
    pub fn snapshot_weights(&self) -> Vec<Tensor> {
        self.weights().into_iter().map(|(_, w)| w.clone()).collect()
    }

    /// Every weight, in [`Sequential::weights`] order, as one flat array (to copy a model into
    /// another worker).
    pub fn weights_flat(&self) -> Vec<f32> {
        let mut flat = Vec::new();
        self.copy_weights_into(&mut flat);
        flat
    }

    /// Overwrites `flat` with every weight in [`Sequential::weights`] order; allocates nothing
    /// once `flat` has held them before (the runaway guard copies the weights every step).
    pub fn copy_weights_into(&self, flat: &mut Vec<f32>) {
        flat.clear();
        for param in self.layers.iter().flat_map(|layer| layer.params()) {
            flat.extend(param.value.iter().copied());
        }
    }

    /// Puts back weights that [`Sequential::copy_weights_into`] copied from this model.
    pub fn restore_weights_from(&mut self, flat: &[f32]) {
        let mut offset = 0;
        for layer in &mut self.layers {
            for param in layer.params_mut() {
                for (value, &saved) in param.value.iter_mut().zip(&flat[offset..]) {
                    *value = saved;
                }
                offset += param.value.len();
            }
        }
    }

    /// The Euclidean norms `(‖w − before‖, ‖before‖)` over every weight, `before` as
    /// [`Sequential::copy_weights_into`] wrote it: how far the last update moved the weights,
    /// against their size. A non-finite weight makes the first norm non-finite.
    pub fn change_since(&self, before: &[f32]) -> (f64, f64) {
        let (mut change, mut size) = (0.0f64, 0.0f64);
        let mut offset = 0;
        for param in self.layers.iter().flat_map(|layer| layer.params()) {
            for (&value, &old) in param.value.iter().zip(&before[offset..]) {
                change += (value as f64 - old as f64).powi(2);
                size += (old as f64).powi(2);
            }
            offset += param.value.len();
        }
        (change.sqrt(), size.sqrt())
    }

    /// Whether some layer computes a sigmoid (the runaway message then suggests ReLU).
    pub fn uses_sigmoid(&self) -> bool {
        self.architecture.layers.iter().any(|plan| {
            plan.kind
                .to_config()
                .get("activation")
                .is_some_and(|a| a == "sigmoid")
        })
    }

    /// Replaces every weight from one flat array in [`Sequential::weights`] order.
    pub fn set_weights_flat(&mut self, flat: &[f32]) -> Result<()> {
        let shapes: Vec<Vec<usize>> = self
            .weights()
            .iter()
            .map(|(_, w)| w.shape().to_vec())
            .collect();
        let needed: usize = shapes.iter().map(|s| s.iter().product::<usize>()).sum();
        if flat.len() != needed {
            return Err(ConvlabError::Format(format!(
                "the model has {needed} weight values but {} were given",
                flat.len()
            )));
        }
        let mut offset = 0;
        let tensors = shapes
            .into_iter()
            .map(|shape| {
                let len: usize = shape.iter().product();
                let tensor =
                    Tensor::from_shape_vec(IxDyn(&shape), flat[offset..offset + len].to_vec())
                        .expect("length matches shape");
                offset += len;
                tensor
            })
            .collect();
        self.set_weights(tensors)
    }
}
