//! convlab: a small deep-learning engine with Keras semantics (names, defaults, weight layouts,
//! update rules), written on `ndarray` so that it builds natively and for WebAssembly.
//!
//! Tensors are `f32`, batch first, images NHWC (`[batch, height, width, channels]`), exactly as in
//! Keras with the TensorFlow backend. The engine knows nothing about browsers; the wasm face lives
//! in its own module.

pub mod activation;
pub mod analysis;
pub mod benchmark;
pub mod data;
pub mod error;
pub mod gemm;
pub mod initializer;
pub mod keras_code;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod model;
pub mod optimizers;
pub mod padding;
pub mod presets;
pub mod regularizer;
pub mod rng;
mod simd;
pub mod size_guard;
pub mod spec;
pub mod summary;
pub mod tensor;
pub mod tfjs;
pub mod training;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
pub mod wasm_bench;
#[cfg(target_arch = "wasm32")]
pub mod wasm_crash;

pub use error::ConvlabError;

pub use tensor::Tensor;
