//! The one error type of the engine. Every message is written for a learner: it names the layer,
//! the field and the value, and says how to fix it.

use thiserror::Error;

/// Everything that can go wrong in the engine. Never a panic: bad input becomes one of these.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ConvlabError {
    /// A model spec that cannot be built: names the layer (1-based position, name, Keras class),
    /// the offending field and the fix.
    #[error("Layer {index} '{name}' ({class_name}): {field}: {message}")]
    Spec {
        /// 1-based position of the layer in the model.
        index: usize,
        /// The layer's name (`conv2d_1`).
        name: String,
        /// The Keras class name (`Conv2D`).
        class_name: String,
        /// The config field at fault (`kernel_size`).
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A spec problem that belongs to no single layer (empty model, missing input shape, bad JSON).
    #[error("Model: {0}")]
    Model(String),
    /// Bad training settings (batch size 0, validation split outside [0, 1), ...).
    #[error("{field}: {message}")]
    Setting {
        /// The setting at fault (`batch_size`).
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A data file that is not what it claims (bad idx header, truncated, wrong label count).
    #[error("Data: {0}")]
    Data(String),
    /// A saved model (model.json / weights .bin) that cannot be loaded.
    #[error("Model file: {0}")]
    Format(String),
    /// Input and model disagree (wrong image size, label count mismatch).
    #[error("Shape: {0}")]
    Shape(String),
    /// Reading or writing a file failed.
    #[error("I/O: {0}")]
    Io(String),
    /// The model (or training it at the chosen batch size) needs more memory than the budget;
    /// names the layer that needs the most and the estimate.
    #[error("Too big: layer {index} '{name}' ({class_name}): {message}")]
    Size {
        /// 1-based position of the layer that needs the most memory.
        index: usize,
        /// The layer's name (`conv2d_1`).
        name: String,
        /// The Keras class name (`Conv2D`).
        class_name: String,
        /// The estimate, the budget and how to get under it.
        message: String,
    },
    /// Training blew up (a non-finite loss or weight) and was stopped with the last good weights.
    #[error("Training diverged at epoch {epoch}, batch {batch}: {message}")]
    Diverged {
        /// 1-based epoch of the batch that blew up.
        epoch: usize,
        /// 1-based batch within that epoch.
        batch: usize,
        /// What became non-finite, what was kept and what to try.
        message: String,
    },
}

impl ConvlabError {
    /// The stable code the page keys on (`spec.field`, `setting.range`, `format.tfjs`,
    /// `training.diverged`, `size.budget`, …): one per variant, never reworded.
    pub fn code(&self) -> &'static str {
        match self {
            ConvlabError::Spec { .. } => "spec.field",
            ConvlabError::Model(_) => "spec.model",
            ConvlabError::Setting { .. } => "setting.range",
            ConvlabError::Data(_) => "data.format",
            ConvlabError::Format(_) => "format.tfjs",
            ConvlabError::Shape(_) => "shape.mismatch",
            ConvlabError::Io(_) => "io.file",
            ConvlabError::Size { .. } => "size.budget",
            ConvlabError::Diverged { .. } => "training.diverged",
        }
    }

    /// A `Setting` error for `field`.
    pub fn setting(field: &str, message: impl Into<String>) -> Self {
        ConvlabError::Setting {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl From<std::io::Error> for ConvlabError {
    fn from(error: std::io::Error) -> Self {
        ConvlabError::Io(error.to_string())
    }
}

/// A problem with one field of one layer's config, before the layer's position and name are known;
/// the spec module turns it into [`ConvlabError::Spec`].
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The Keras config field at fault (`strides`).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FieldError {
    /// A new field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Shorthand for results of the engine.
pub type Result<T> = std::result::Result<T, ConvlabError>;
