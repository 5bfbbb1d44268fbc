//! The bench page's face to the engine (`www/bench/`): the [`crate::benchmark`] workloads for
//! JavaScript, which times them with `performance.now()`. Thin on purpose, like `wasm`.

use wasm_bindgen::prelude::*;

use crate::benchmark::{conv_max_error, GemmBench, InferenceBench, StepProfile, TrainingBench};

fn error(error: crate::ConvlabError) -> JsValue {
    JsValue::from_str(&error.to_string())
}

/// A preset training on batches of synthetic images.
#[wasm_bindgen(js_name = TrainingBench)]
pub struct JsTrainingBench(TrainingBench);

#[wasm_bindgen(js_class = TrainingBench)]
impl JsTrainingBench {
    /// Prepares `preset` (`seed-cnn`) with batches of `batch_size`.
    #[wasm_bindgen(constructor)]
    pub fn new(preset: &str, batch_size: usize) -> Result<JsTrainingBench, JsValue> {
        TrainingBench::new(preset, batch_size)
            .map(JsTrainingBench)
            .map_err(error)
    }

    /// Trains `count` batches.
    pub fn steps(&mut self, count: usize) {
        for _ in 0..count {
            self.0.step();
        }
    }
}

/// A preset predicting a batch of synthetic images.
#[wasm_bindgen(js_name = InferenceBench)]
pub struct JsInferenceBench(InferenceBench);

#[wasm_bindgen(js_class = InferenceBench)]
impl JsInferenceBench {
    /// Prepares `preset` to predict batches of `batch_size`.
    #[wasm_bindgen(constructor)]
    pub fn new(preset: &str, batch_size: usize) -> Result<JsInferenceBench, JsValue> {
        InferenceBench::new(preset, batch_size)
            .map(JsInferenceBench)
            .map_err(error)
    }

    /// Predicts the batch `count` times.
    pub fn runs(&mut self, count: usize) {
        for _ in 0..count {
            self.0.run();
        }
    }
}

/// An `m × k` by `k × n` matrix product.
#[wasm_bindgen(js_name = GemmBench)]
pub struct JsGemmBench(GemmBench);

#[wasm_bindgen(js_class = GemmBench)]
impl JsGemmBench {
    /// Operands of shape `m × k` and `k × n`.
    #[wasm_bindgen(constructor)]
    pub fn new(m: usize, k: usize, n: usize) -> JsGemmBench {
        JsGemmBench(GemmBench::new(m, k, n))
    }

    /// Floating-point operations of one product.
    pub fn flops(&self) -> f64 {
        self.0.flops()
    }

    /// The largest relative difference between the last product and a naive one.
    #[wasm_bindgen(js_name = maxError)]
    pub fn max_error(&self) -> f64 {
        self.0.max_error()
    }

    /// Computes the product `count` times.
    pub fn runs(&mut self, count: usize) {
        for _ in 0..count {
            self.0.run();
        }
    }
}

/// The largest relative difference between Conv2D's products and naive loops (see
/// [`conv_max_error`]).
#[wasm_bindgen(js_name = convMaxError)]
pub fn js_conv_max_error() -> f64 {
    conv_max_error()
}

/// One training step of a preset, part by part.
#[wasm_bindgen(js_name = StepProfile)]
pub struct JsStepProfile(StepProfile);

#[wasm_bindgen(js_class = StepProfile)]
impl JsStepProfile {
    /// Builds `preset` for batches of `batch_size`.
    #[wasm_bindgen(constructor)]
    pub fn new(preset: &str, batch_size: usize) -> Result<JsStepProfile, JsValue> {
        StepProfile::new(preset, batch_size)
            .map(JsStepProfile)
            .map_err(error)
    }

    /// `name (ClassName)` of each layer.
    #[wasm_bindgen(js_name = layerNames)]
    pub fn layer_names(&self) -> Vec<String> {
        self.0.layer_names().to_vec()
    }

    /// Runs layer `index` forward `count` times.
    pub fn forward(&mut self, index: usize, count: usize) {
        for _ in 0..count {
            self.0.forward(index);
        }
    }

    /// Runs layer `index` backward `count` times.
    pub fn backward(&mut self, index: usize, count: usize) {
        for _ in 0..count {
            self.0.backward(index);
        }
    }

    /// Runs the Adam update `count` times.
    pub fn update(&mut self, count: usize) {
        for _ in 0..count {
            self.0.update();
        }
    }
}
