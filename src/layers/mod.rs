//! Layers with Keras names, defaults and weight layouts. Each file holds one layer: its config
//! (the Keras arguments, deserialised from a `model.json` entry), its shape rule, its forward and
//! its backward, side by side.
//!
//! The contract every layer keeps:
//! - Tensors are batch first and NHWC; `output_shape` is per sample (no batch axis).
//! - `forward` writes every element of `output` (resized with [`crate::tensor::ensure_shape`],
//!   which allocates only when the batch size changes).
//! - `backward` runs after the `forward` of the same batch, with the same `input` and `output`.
//!   It *overwrites* each trainable parameter's `grad` (gradients of this batch only) and, when
//!   asked, writes the gradient with respect to the input. `grad_output` may be modified in place
//!   (the layer's activation derivative is applied there).

use crate::activation::Activation;
use crate::error::FieldError;
use crate::padding::OutputSize;
use crate::regularizer::Regularizer;
use crate::rng::Rng;
use crate::tensor::Tensor;

pub mod activation_layer;
pub mod batch_normalization;
pub mod conv2d;
pub mod dense;
mod direct_conv;
pub mod dropout;
pub mod flatten;
pub mod global_average_pooling2d;
pub mod keras_args;
pub mod pooling2d;
mod winograd;

#[cfg(test)]
pub(crate) mod gradient_check;

/// Whether a pass is training (dropout drops, batch norm uses batch statistics and updates its
/// moving averages) or inference. Keras's `training` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `training=True`.
    Train,
    /// `training=False`.
    Infer,
}

/// One weight tensor of a layer, by its Keras name, with its gradient.
#[derive(Clone, Debug)]
pub struct Param {
    /// Keras weight name: `kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`.
    pub name: &'static str,
    /// The values, in Keras layout (Conv2D kernel `[kh, kw, in, out]`, Dense kernel `[in, out]`).
    pub value: Tensor,
    /// The loss gradient of the last backward pass (zeros for non-trainable parameters).
    pub grad: Tensor,
    /// Whether optimizers update it (false for batch norm's moving statistics).
    pub trainable: bool,
    /// The penalty this parameter adds to the loss (Keras `kernel_regularizer`).
    pub regularizer: Regularizer,
}

impl Param {
    /// A trainable parameter with a zero gradient and no regularizer.
    pub fn trainable(name: &'static str, value: Tensor) -> Self {
        let grad = Tensor::zeros(value.raw_dim());
        Param {
            name,
            value,
            grad,
            trainable: true,
            regularizer: Regularizer::default(),
        }
    }

    /// A non-trainable parameter (updated by the layer itself, never by an optimizer).
    pub fn non_trainable(name: &'static str, value: Tensor) -> Self {
        Param {
            trainable: false,
            ..Param::trainable(name, value)
        }
    }
}

/// A built layer that can run forward and backward on batches.
pub trait Layer: Send {
    /// The Keras class name (`Conv2D`).
    fn class_name(&self) -> &'static str;

    /// The per-sample output shape (`[28, 28, 32]`).
    fn output_shape(&self) -> &[usize];

    /// Computes `output` from `input` (both batch first). `rng` drives dropout masks.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, mode: Mode, rng: &mut Rng);

    /// Back-propagates `grad_output` (dLoss/dOutput; may be overwritten) through the layer: sets
    /// every trainable parameter's `grad` and, if `grad_input` is given, writes dLoss/dInput.
    fn backward(
        &mut self,
        input: &Tensor,
        output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    );

    /// The layer's weights in Keras order (`kernel`, `bias`; `gamma`, `beta`, `moving_mean`,
    /// `moving_variance`).
    fn params(&self) -> &[Param] {
        &[]
    }

    /// Mutable access to the weights, for optimizers and for loading saved models.
    fn params_mut(&mut self) -> &mut [Param] {
        &mut []
    }

    /// The activation this layer applies last, if it has one (Dense, Conv2D, Activation). The
    /// model uses it to fuse a final softmax with cross-entropy, as Keras does.
    fn activation_mut(&mut self) -> Option<&mut Activation> {
        None
    }
}

/// Parameter counts as Keras reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParamCount {
    /// Updated by the optimizer.
    pub trainable: usize,
    /// Counted but not trained (batch norm moving mean and variance).
    pub non_trainable: usize,
}

impl ParamCount {
    /// Trainable plus non-trainable: the `Param #` column of `model.summary()` (saturating, like
    /// the counts: an absurd layer only has to come out above [`crate::spec::MAX_PARAMS`]).
    pub fn total(&self) -> usize {
        self.trainable.saturating_add(self.non_trainable)
    }
}

/// A layer's Keras config before it is built: knows its shape rule and parameter count, so the
/// page can show shapes and the summary of a model too large to build.
pub trait LayerConfig {
    /// The Keras class name (`MaxPooling2D`).
    fn class_name(&self) -> &'static str;

    /// The per-sample output shape for a per-sample `input_shape`, or the field that makes this
    /// layer impossible (with a fix in the message).
    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError>;

    /// Parameter counts for `input_shape` (only called when `output_shape` succeeded). Saturating:
    /// a spec may ask for any size, and a count too large for `usize` is simply too large.
    fn param_count(&self, input_shape: &[usize]) -> ParamCount;

    /// For Conv2D and pooling layers: the output-size arithmetic of the height and width axes
    /// (only called when `output_shape` succeeded).
    fn output_size(&self, _input_shape: &[usize]) -> Option<[OutputSize; 2]> {
        None
    }

    /// Builds the layer with freshly initialised weights (only called when `output_shape`
    /// succeeded).
    fn build(&self, input_shape: &[usize], rng: &mut Rng) -> Box<dyn Layer>;
}

/// Checks that `input_shape` is an image `[height, width, channels]`, the input every 2-D spatial
/// layer needs; the message tells the learner what to put before the layer.
pub fn expect_image(input_shape: &[usize]) -> Result<[usize; 3], FieldError> {
    match input_shape {
        [h, w, c] => Ok([*h, *w, *c]),
        _ => Err(FieldError::new(
            "input_shape",
            format!(
                "expects an image input (height, width, channels) but gets {}; put it before Flatten, or reshape the input to (28, 28, 1)",
                crate::summary::format_shape(input_shape)
            ),
        )),
    }
}

/// The height and width arithmetic of a sliding window (Conv2D kernel or pooling window) over an
/// image, with messages naming `window_field` (`kernel_size` / `pool_size`) or `strides`.
pub fn window_output_size(
    image: [usize; 3],
    window: [usize; 2],
    strides: [usize; 2],
    padding: crate::padding::Padding,
    window_field: &'static str,
) -> Result<[OutputSize; 2], FieldError> {
    if window.contains(&0) {
        return Err(FieldError::new(
            window_field,
            format!(
                "{}×{} has a zero side; each side must be at least 1, e.g. (3, 3)",
                window[0], window[1]
            ),
        ));
    }
    if strides.contains(&0) {
        return Err(FieldError::new(
            "strides",
            format!(
                "{}×{} has a zero step; a stride must be at least 1 (1 visits every position, 2 halves the size)",
                strides[0], strides[1]
            ),
        ));
    }
    let axis = |i: usize| OutputSize::compute(image[i], window[i], strides[i], padding);
    match (axis(0), axis(1)) {
        (Ok(height), Ok(width)) => Ok([height, width]),
        _ => Err(FieldError::new(
            window_field,
            format!(
                "{}×{} is larger than the {}×{} input; use a smaller {window_field}, padding='same', or fewer pooling layers before this one",
                window[0], window[1], image[0], image[1]
            ),
        )),
    }
}
