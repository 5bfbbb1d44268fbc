//! The benchmark workloads, shared by the native criterion benches (`benches/engine.rs`) and the
//! browser bench page (through `wasm_bench`), so that both measure exactly the same work: a
//! lesson preset training or predicting on batches of synthetic MNIST-shaped images, and the GEMM
//! at the shapes that matter.

use ndarray::IxDyn;

use crate::activation::Activation;
use crate::data::dataset::Dataset;
use crate::error::Result;
use crate::gemm::{gemm, Epilogue, MatRef};
use crate::layers::conv2d::Conv2dConfig;
use crate::layers::{Layer, LayerConfig, Mode};
use crate::model::{streams, Sequential};
use crate::optimizers::{Optimizer, OptimizerConfig};
use crate::padding::Padding;
use crate::presets::preset;
use crate::rng::Rng;
use crate::spec::Architecture;
use crate::training::{Fit, TrainingConfig, MAX_EPOCHS};
use crate::Tensor;

/// Batches in one epoch of a training workload: enough to shuffle, few enough to build quickly.
const BATCHES_PER_EPOCH: usize = 8;

/// `count` 28×28 grey images of uniform noise with labels 0–9 in turn. Throughput does not
/// depend on the pixel values, so the benchmarks need no MNIST download.
pub fn synthetic_mnist(count: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let pixels = (0..count * 28 * 28)
        .map(|_| (rng.uniform() * 255.0) as u8)
        .collect();
    let labels = (0..count).map(|i| (i % 10) as u8).collect();
    Dataset::new(pixels, labels, [28, 28, 1], 10).expect("a well-formed synthetic dataset")
}

/// A preset training with Adam and categorical cross-entropy (the page's defaults), one batch
/// per [`TrainingBench::step`].
pub struct TrainingBench {
    fit: Fit,
}

impl TrainingBench {
    /// Prepares `preset_name` (`seed-cnn`) to train on batches of `batch_size`.
    pub fn new(preset_name: &str, batch_size: usize) -> Result<Self> {
        let model = Sequential::from_spec(&preset(preset_name)?, 1)?;
        let config = TrainingConfig {
            batch_size,
            epochs: MAX_EPOCHS,
            seed: 1,
            ..TrainingConfig::default()
        };
        let data = synthetic_mnist(batch_size * BATCHES_PER_EPOCH, 2);
        Ok(TrainingBench {
            fit: Fit::new(model, data, None, config)?,
        })
    }

    /// Trains one batch: fill the batch, forward, backward, optimizer update.
    pub fn step(&mut self) {
        self.fit
            .step()
            .expect("a run of MAX_EPOCHS epochs outlasts any benchmark");
    }
}

/// A freshly initialised preset predicting one batch per [`InferenceBench::run`].
pub struct InferenceBench {
    model: Sequential,
    images: Tensor,
    rng: Rng,
}

impl InferenceBench {
    /// Prepares `preset_name` to predict batches of `batch_size` images.
    pub fn new(preset_name: &str, batch_size: usize) -> Result<Self> {
        let model = Sequential::from_spec(&preset(preset_name)?, 1)?;
        let indices: Vec<usize> = (0..batch_size).collect();
        let mut images = Tensor::zeros(IxDyn(&[0]));
        synthetic_mnist(batch_size, 3).fill_images(&indices, &mut images);
        Ok(InferenceBench {
            model,
            images,
            rng: Rng::new(0),
        })
    }

    /// Runs the batch forward in inference mode.
    pub fn run(&mut self) {
        self.model.forward(&self.images, Mode::Infer, &mut self.rng);
    }
}

/// `C = A·B` for an `m × k` by `k × n` product of row-major matrices.
pub struct GemmBench {
    m: usize,
    k: usize,
    n: usize,
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

impl GemmBench {
    /// Operands of the given shape, filled with values in [−1, 1).
    pub fn new(m: usize, k: usize, n: usize) -> Self {
        let mut rng = Rng::new(4);
        let mut values = |count: usize| -> Vec<f32> {
            (0..count).map(|_| rng.uniform_range(-1.0, 1.0)).collect()
        };
        GemmBench {
            a: values(m * k),
            b: values(k * n),
            c: vec![0.0; m * n],
            m,
            k,
            n,
        }
    }

    /// Floating-point operations of one product: `2·m·k·n`.
    pub fn flops(&self) -> f64 {
        2.0 * (self.m * self.k * self.n) as f64
    }

    /// The largest difference between the last product and the textbook triple loop (in f64),
    /// relative to `1 + |exact|`: checks the very kernel being timed (in a browser, the wasm one
    /// that native tests cannot run).
    pub fn max_error(&self) -> f64 {
        let (m, k, n) = (self.m, self.k, self.n);
        let mut worst = 0.0f64;
        for i in 0..m {
            for j in 0..n {
                let exact: f64 = (0..k)
                    .map(|p| self.a[i * k + p] as f64 * self.b[p * n + j] as f64)
                    .sum();
                let error = (self.c[i * n + j] as f64 - exact).abs() / (1.0 + exact.abs());
                worst = worst.max(error);
            }
        }
        worst
    }

    /// Computes the product once.
    pub fn run(&mut self) {
        gemm(
            MatRef::row_major(&self.a, self.m, self.k),
            MatRef::row_major(&self.b, self.k, self.n),
            &mut self.c,
            Epilogue::default(),
        );
    }
}

/// The largest difference between Conv2D's forward pass and kernel gradient (products that pack
/// the patches straight from the image) and the textbook loops in f64, relative to
/// `1 + |exact|`, over padding, strides and patch rows of odd lengths, and over every forward
/// path (im2col; Winograd from 8 channels at stride 1, valid and same, with channels left over
/// from the SIMD lanes; the direct loops for one channel at stride 1): checks, in a browser, the
/// wasm packing, kernel and transforms that native tests cannot run.
pub fn conv_max_error() -> f64 {
    let mut worst = 0.0f64;
    for (padding, stride, channels) in [
        (Padding::Same, 1, 3),
        (Padding::Valid, 2, 5),
        (Padding::Same, 2, 1),
        (Padding::Valid, 1, 8),
        (Padding::Same, 1, 11),
        (Padding::Same, 1, 1),
    ] {
        let config = Conv2dConfig {
            strides: [stride, stride],
            padding,
            ..Conv2dConfig::new(6, [3, 3], Activation::Linear)
        };
        let image = [9, 7, channels];
        let [vertical, horizontal] = config
            .output_size(&image)
            .expect("a 3×3 kernel fits a 9×7 image");
        let mut layer = config.build(&image, &mut Rng::new(7));
        let mut rng = Rng::new(8);
        let mut values =
            |shape: &[usize]| Tensor::from_shape_fn(IxDyn(shape), |_| rng.uniform_range(-1.0, 1.0));
        let batch = 3;
        let input = values(&[batch, image[0], image[1], channels]);
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Train, &mut Rng::new(0));
        let delta = values(output.shape());
        let mut grad_input = Tensor::zeros(IxDyn(&[0]));
        layer.backward(&input, &output, &mut delta.clone(), Some(&mut grad_input));
        let (kernel, bias) = (&layer.params()[0].value, &layer.params()[1].value);
        let kernel_grad = &layer.params()[0].grad;
        // The input cell under kernel cell (ky, kx) of the window making output (oy, ox).
        let cell = |oy: usize, ox: usize, ky: usize, kx: usize| {
            let y = (oy * stride + ky).checked_sub(vertical.pad_before)?;
            let x = (ox * stride + kx).checked_sub(horizontal.pad_before)?;
            (y < image[0] && x < image[1]).then_some((y, x))
        };
        let mut expected_grad = vec![0.0f64; kernel.len()];
        for n in 0..batch {
            for oy in 0..vertical.output {
                for ox in 0..horizontal.output {
                    for f in 0..6 {
                        let mut exact = bias[[f]] as f64;
                        for ky in 0..3 {
                            for kx in 0..3 {
                                let Some((y, x)) = cell(oy, ox, ky, kx) else {
                                    continue;
                                };
                                for c in 0..channels {
                                    let value = input[[n, y, x, c]] as f64;
                                    exact += value * kernel[[ky, kx, c, f]] as f64;
                                    expected_grad[((ky * 3 + kx) * channels + c) * 6 + f] +=
                                        value * delta[[n, oy, ox, f]] as f64;
                                }
                            }
                        }
                        let error = (output[[n, oy, ox, f]] as f64 - exact).abs();
                        worst = worst.max(error / (1.0 + exact.abs()));
                    }
                }
            }
        }
        for (&actual, &exact) in kernel_grad.iter().zip(&expected_grad) {
            worst = worst.max((actual as f64 - exact).abs() / (1.0 + exact.abs()));
        }
    }
    worst
}

/// The parts of one training step of a preset, run one at a time so each can be timed: every
/// layer's forward and backward, then the Adam update of every weight. The layers are built as
/// `Sequential` builds them; a final softmax is left to the loss, as in training.
pub struct StepProfile {
    names: Vec<String>,
    layers: Vec<Box<dyn Layer>>,
    input: Tensor,
    /// `outputs[i]`: the output of layer `i`.
    outputs: Vec<Tensor>,
    /// `grads[i]`: dLoss/d`outputs[i]`.
    grads: Vec<Tensor>,
    optimizer: Box<dyn Optimizer>,
    rng: Rng,
}

impl StepProfile {
    /// Builds `preset_name` for batches of `batch_size` and runs one step to size every buffer.
    pub fn new(preset_name: &str, batch_size: usize) -> Result<Self> {
        let architecture = Architecture::from_spec(&preset(preset_name)?)?;
        let mut rng = Rng::derive(1, streams::WEIGHTS);
        let mut layers: Vec<Box<dyn Layer>> = architecture
            .layers
            .iter()
            .map(|plan| plan.kind.config().build(&plan.input_shape, &mut rng))
            .collect();
        if let Some(activation) = layers.last_mut().and_then(|layer| layer.activation_mut()) {
            if *activation == Activation::Softmax {
                *activation = Activation::Linear;
            }
        }
        let names = architecture
            .layers
            .iter()
            .map(|plan| format!("{} ({})", plan.name, plan.class_name()))
            .collect();
        let indices: Vec<usize> = (0..batch_size).collect();
        let mut input = Tensor::zeros(IxDyn(&[0]));
        synthetic_mnist(batch_size, 3).fill_images(&indices, &mut input);
        let empty = || Tensor::zeros(IxDyn(&[0]));
        let mut profile = StepProfile {
            names,
            outputs: layers.iter().map(|_| empty()).collect(),
            grads: layers.iter().map(|_| empty()).collect(),
            layers,
            input,
            optimizer: OptimizerConfig::from_name("adam")
                .expect("adam exists")
                .build(),
            rng: Rng::new(5),
        };
        for i in 0..profile.layers.len() {
            profile.forward(i);
        }
        let last = profile.layers.len() - 1;
        profile.grads[last] = profile.outputs[last].mapv(|v| 1e-3 * v.tanh());
        for i in (0..profile.layers.len()).rev() {
            profile.backward(i);
        }
        profile.update();
        Ok(profile)
    }

    /// `name (ClassName)` of each layer, in order.
    pub fn layer_names(&self) -> &[String] {
        &self.names
    }

    /// Runs layer `i` forward (training mode) on the previous layer's output.
    pub fn forward(&mut self, i: usize) {
        let (before, rest) = self.outputs.split_at_mut(i);
        let input = before.last().unwrap_or(&self.input);
        self.layers[i].forward(input, &mut rest[0], Mode::Train, &mut self.rng);
    }

    /// Runs layer `i` backward: its weight gradients and, after the first layer, its input
    /// gradient.
    pub fn backward(&mut self, i: usize) {
        let (grads_before, grads_rest) = self.grads.split_at_mut(i);
        let input = if i == 0 {
            &self.input
        } else {
            &self.outputs[i - 1]
        };
        self.layers[i].backward(
            input,
            &self.outputs[i],
            &mut grads_rest[0],
            grads_before.last_mut(),
        );
    }

    /// The Adam update of every trainable weight from its gradient.
    pub fn update(&mut self) {
        self.optimizer.begin_step();
        let mut slot = 0;
        for layer in &mut self.layers {
            for param in layer.params_mut().iter_mut().filter(|p| p.trainable) {
                self.optimizer.update(slot, &mut param.value, &param.grad);
                slot += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_products_agree_with_the_textbook_loops() {
        let error = conv_max_error();
        assert!(error < 1e-5, "relative error {error}");
    }
}
