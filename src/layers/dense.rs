//! `Dense`: `output = activation(input · kernel + bias)` with kernel `[in, out]`.

use serde::{Deserialize, Serialize};

use super::keras_args::{self, yes};
use super::{Layer, LayerConfig, Mode, Param, ParamCount};
use crate::activation::Activation;
use crate::error::FieldError;
use crate::gemm::{gemm, Epilogue, MatRef};
use crate::initializer::Initializer;
use crate::regularizer::Regularizer;
use crate::rng::Rng;
use crate::tensor::{ensure_shape, Tensor};

/// Keras `Dense(units, activation=None, use_bias=True, kernel_initializer='glorot_uniform',
/// bias_initializer='zeros', kernel_regularizer=None)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DenseConfig {
    /// Number of outputs.
    pub units: usize,
    /// Applied to the output.
    #[serde(default)]
    pub activation: Activation,
    /// Whether to add a bias per unit.
    #[serde(default = "yes")]
    pub use_bias: bool,
    /// Kernel initializer (Keras default `glorot_uniform`).
    #[serde(default = "keras_args::glorot_uniform")]
    pub kernel_initializer: Initializer,
    /// Bias initializer (Keras default `zeros`).
    #[serde(default = "keras_args::zeros")]
    pub bias_initializer: Initializer,
    /// L1/L2 penalty on the kernel.
    #[serde(default)]
    pub kernel_regularizer: Regularizer,
}

impl DenseConfig {
    /// A Dense config with Keras defaults and the given activation.
    pub fn new(units: usize, activation: Activation) -> Self {
        DenseConfig {
            units,
            activation,
            use_bias: true,
            kernel_initializer: Initializer::GlorotUniform,
            bias_initializer: Initializer::Zeros,
            kernel_regularizer: Regularizer::default(),
        }
    }
}

impl LayerConfig for DenseConfig {
    fn class_name(&self) -> &'static str {
        "Dense"
    }

    fn output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>, FieldError> {
        if self.units == 0 {
            return Err(FieldError::new(
                "units",
                "must be at least 1, e.g. 128 (or 10 for the output layer)",
            ));
        }
        match input_shape {
            [_] => Ok(vec![self.units]),
            _ => Err(FieldError::new(
                "input_shape",
                format!(
                    "Dense expects a flat vector but gets {}; add a Flatten (or GlobalAveragePooling2D) layer before it",
                    crate::summary::format_shape(input_shape)
                ),
            )),
        }
    }

    fn param_count(&self, input_shape: &[usize]) -> ParamCount {
        let bias = if self.use_bias { self.units } else { 0 };
        ParamCount {
            trainable: input_shape[0]
                .saturating_mul(self.units)
                .saturating_add(bias),
            non_trainable: 0,
        }
    }

    fn build(&self, input_shape: &[usize], rng: &mut Rng) -> Box<dyn Layer> {
        Box::new(Dense::new(self.clone(), input_shape, rng))
    }
}

/// A built `Dense` layer. Params in Keras order: `kernel` `[in, units]`, then `bias` `[units]`
/// when `use_bias`.
pub struct Dense {
    activation: Activation,
    output_shape: Vec<usize>,
    params: Vec<Param>,
}

/// Index of the kernel in `params`; the bias, if any, follows it.
const KERNEL: usize = 0;

impl Dense {
    /// Builds the layer for per-sample `input_shape` `[in]`, drawing the kernel (then the bias,
    /// as Keras's `build` does) from `rng`.
    pub fn new(config: DenseConfig, input_shape: &[usize], rng: &mut Rng) -> Self {
        let inputs: usize = input_shape.iter().product();
        let mut kernel = Param::trainable(
            "kernel",
            config
                .kernel_initializer
                .initialize(&[inputs, config.units], rng),
        );
        kernel.regularizer = config.kernel_regularizer;
        let mut params = vec![kernel];
        if config.use_bias {
            let bias = config.bias_initializer.initialize(&[config.units], rng);
            params.push(Param::trainable("bias", bias));
        }
        Dense {
            activation: config.activation,
            output_shape: vec![config.units],
            params,
        }
    }
}

/// A `[batch, features]` tensor's values, row-major (standard layout, as layers write them).
fn values(tensor: &Tensor) -> &[f32] {
    tensor
        .as_slice()
        .expect("Dense tensors are in standard layout")
}

fn values_mut(tensor: &mut Tensor) -> &mut [f32] {
    tensor
        .as_slice_mut()
        .expect("Dense tensors are in standard layout")
}

impl Layer for Dense {
    fn class_name(&self) -> &'static str {
        "Dense"
    }

    fn output_shape(&self) -> &[usize] {
        &self.output_shape
    }

    /// `output = activation(input · kernel + bias)`; the bias and a ReLU are applied by the
    /// product's epilogue.
    ///
    /// # Shapes
    /// input `[batch, in]` → output `[batch, units]`.
    fn forward(&mut self, input: &Tensor, output: &mut Tensor, _mode: Mode, _rng: &mut Rng) {
        let (batch, inputs, units) = (input.shape()[0], input.shape()[1], self.output_shape[0]);
        ensure_shape(output, &[batch, units]);
        let relu = self.activation == Activation::Relu;
        gemm(
            MatRef::row_major(values(input), batch, inputs),
            MatRef::row_major(values(&self.params[KERNEL].value), inputs, units),
            values_mut(output),
            Epilogue {
                accumulate: false,
                bias: self.params.get(KERNEL + 1).map(|bias| values(&bias.value)),
                relu,
            },
        );
        if !relu {
            self.activation.forward_in_place(output);
        }
    }

    /// With `g` = dLoss/d(pre-activation): dKernel = inputᵀ·g, dBias = Σ_batch g,
    /// dInput = g·kernelᵀ.
    fn backward(
        &mut self,
        input: &Tensor,
        output: &Tensor,
        grad_output: &mut Tensor,
        grad_input: Option<&mut Tensor>,
    ) {
        self.activation.backward_in_place(output, grad_output);
        let (batch, inputs, units) = (input.shape()[0], input.shape()[1], self.output_shape[0]);
        let g = MatRef::row_major(values(grad_output), batch, units);
        let (kernel, bias) = self.params.split_at_mut(KERNEL + 1);
        let kernel = &mut kernel[KERNEL];
        gemm(
            MatRef::row_major(values(input), batch, inputs).t(),
            g,
            values_mut(&mut kernel.grad),
            Epilogue::default(),
        );
        if let Some(bias) = bias.first_mut() {
            let grad_bias = values_mut(&mut bias.grad);
            grad_bias.fill(0.0);
            for row in values(grad_output).chunks_exact(units) {
                for (grad, &d) in grad_bias.iter_mut().zip(row) {
                    *grad += d;
                }
            }
        }
        if let Some(grad_input) = grad_input {
            ensure_shape(grad_input, &[batch, inputs]);
            gemm(
                g,
                MatRef::row_major(values(&kernel.value), inputs, units).t(),
                values_mut(grad_input),
                Epilogue::default(),
            );
        }
    }

    fn params(&self) -> &[Param] {
        &self.params
    }

    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }

    fn activation_mut(&mut self) -> Option<&mut Activation> {
        Some(&mut self.activation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::gradient_check::{check_gradients, test_input};
    use ndarray::{array, IxDyn};

    fn dense(units: usize, activation: Activation, inputs: usize) -> Dense {
        Dense::new(
            DenseConfig::new(units, activation),
            &[inputs],
            &mut Rng::new(7),
        )
    }

    #[test]
    fn forward_is_input_times_kernel_plus_bias() {
        let mut layer = dense(2, Activation::Linear, 3);
        layer.params[0].value = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]].into_dyn();
        layer.params[1].value = array![0.5f32, -1.0].into_dyn();
        let input = array![[1.0f32, 0.0, -1.0], [2.0, 1.0, 0.0]].into_dyn();
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        // [1 − 5 + 0.5, 2 − 6 − 1] and [2 + 3 + 0.5, 4 + 4 − 1]
        assert_eq!(output, array![[-3.5f32, -5.0], [5.5, 7.0]].into_dyn());
    }

    #[test]
    fn relu_activation_is_applied_after_the_bias() {
        let mut layer = dense(2, Activation::Relu, 1);
        layer.params[0].value = array![[1.0f32, -1.0]].into_dyn();
        layer.params[1].value = array![-0.5f32, 0.25].into_dyn();
        let input = array![[1.0f32], [0.0]].into_dyn();
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Infer, &mut Rng::new(0));
        assert_eq!(output, array![[0.5f32, 0.0], [0.0, 0.25]].into_dyn());
    }

    #[test]
    fn params_are_kernel_then_bias_with_keras_shapes() {
        let mut config = DenseConfig::new(10, Activation::Softmax);
        config.kernel_regularizer = Regularizer { l1: 0.0, l2: 0.01 };
        let layer = Dense::new(config, &[784], &mut Rng::new(1));
        let names: Vec<_> = layer.params().iter().map(|p| p.name).collect();
        assert_eq!(names, ["kernel", "bias"]);
        assert_eq!(layer.params()[0].value.shape(), &[784, 10]);
        assert_eq!(layer.params()[1].value.shape(), &[10]);
        assert_eq!(layer.params()[0].regularizer.l2, 0.01);
        assert!(layer.params()[1].regularizer.is_none());
        assert!(layer.params()[1].value.iter().all(|&b| b == 0.0));
        // glorot_uniform limit sqrt(6 / (784 + 10))
        let limit = (6.0f32 / 794.0).sqrt();
        assert!(layer.params()[0].value.iter().all(|w| w.abs() <= limit));
        assert_eq!(layer.output_shape(), &[10]);
    }

    #[test]
    fn no_bias_when_use_bias_is_false() {
        let mut config = DenseConfig::new(4, Activation::Linear);
        config.use_bias = false;
        let layer = Dense::new(config, &[3], &mut Rng::new(1));
        assert_eq!(layer.params().len(), 1);
    }

    #[test]
    fn activation_mut_exposes_the_activation() {
        let mut layer = dense(3, Activation::Softmax, 2);
        assert_eq!(layer.activation_mut(), Some(&mut Activation::Softmax));
    }

    #[test]
    fn gradients_match_finite_differences_for_every_activation() {
        for activation in Activation::ALL {
            let mut layer = dense(4, activation, 5);
            check_gradients(&mut layer, &test_input(&[3, 5], 1), Mode::Train, 1e-2);
        }
    }

    #[test]
    fn gradients_match_finite_differences_without_bias() {
        let mut config = DenseConfig::new(3, Activation::Tanh);
        config.use_bias = false;
        let mut layer = Dense::new(config, &[6], &mut Rng::new(3));
        check_gradients(&mut layer, &test_input(&[4, 6], 2), Mode::Train, 1e-2);
    }

    #[test]
    fn backward_without_grad_input_still_sets_parameter_gradients() {
        let mut layer = dense(2, Activation::Linear, 2);
        let input = array![[1.0f32, 2.0], [3.0, 4.0]].into_dyn();
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(&input, &mut output, Mode::Train, &mut Rng::new(0));
        let mut grad_output = array![[1.0f32, 0.0], [0.0, 1.0]].into_dyn();
        layer.backward(&input, &output, &mut grad_output, None);
        // inputᵀ · I = inputᵀ
        assert_eq!(
            layer.params()[0].grad,
            array![[1.0f32, 3.0], [2.0, 4.0]].into_dyn()
        );
        assert_eq!(layer.params()[1].grad, array![1.0f32, 1.0].into_dyn());
    }
}
