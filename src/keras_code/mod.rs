//! Keras code: a model and its training settings written out as runnable `tf.keras` Python
//! ([`export_keras`]), and pasted Keras model code read back into a model spec
//! ([`parse_keras`]).
//!
//! Reading never runs the code. A small tokenizer (`tokenize`) and a parser for a subset of
//! Python expressions (`syntax`) turn the text into statements; [`parse`] then follows the
//! statements that build a model (layers, `Sequential`, `Input` → layer chains → `Model`) and
//! skips the rest (imports, data loading, `compile`/`fit`). Anything model-shaped that it does not
//! understand is an error with a line and a column.

use thiserror::Error;

use crate::spec::Architecture;
use crate::ConvlabError;

pub mod export;
pub mod parse;
mod syntax;
mod tokenize;

pub use export::{export_keras, export_keras_for, KerasDataset, Style};
pub use parse::parse_keras;

/// A place in the pasted code: 1-based line and column (columns count characters, a tab is one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// Why pasted Keras code could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("line {line}, column {column}: {message}")]
pub struct KerasCodeError {
    /// 1-based line of the offending code.
    pub line: usize,
    /// 1-based column (in characters) of the offending code.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl KerasCodeError {
    /// An error at `position`.
    pub fn at(position: Position, message: impl Into<String>) -> Self {
        KerasCodeError {
            line: position.line,
            column: position.column,
            message: message.into(),
        }
    }
}

/// Reads pasted Keras code and checks the model it defines with [`Architecture::from_spec`]. A
/// problem with a layer (a kernel larger than its input, an unknown argument) is reported at that
/// layer's class name in the code, so the learner sees which line to fix.
pub fn check_keras(source: &str) -> Result<Architecture, KerasCodeError> {
    let (spec, places) = parse::parse_keras_with_places(source)?;
    Architecture::from_spec(&spec).map_err(|error| {
        let position = match &error {
            ConvlabError::Spec { index, .. } => places
                .layers
                .get(index.saturating_sub(1))
                .copied()
                .unwrap_or(places.model),
            _ => places.model,
        };
        KerasCodeError::at(position, error.to_string())
    })
}
