//! convlab against TensorFlow/Keras: every case of every fixture in `tests/fixtures/` (written by
//! `tools/make_reference_fixtures.py`, see `tools/README.md`) is run through convlab's public API
//! and compared with what Keras computed.
//!
//! One test per fixture file. Each runs all of its cases, even after one fails, and then reports
//! every failing case with the field and the element index that differ. Layer gradients are those
//! of `L = Σ output · grad_output` for the fixture's `grad_output`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use convlab::layers::batch_normalization::BatchNormalizationConfig;
use convlab::layers::conv2d::Conv2dConfig;
use convlab::layers::dense::DenseConfig;
use convlab::layers::global_average_pooling2d::GlobalAveragePooling2dConfig;
use convlab::layers::pooling2d::{PoolKind, Pooling2dConfig};
use convlab::layers::{Layer, LayerConfig, Mode};
use convlab::loss::Loss;
use convlab::optimizers::OptimizerConfig;
use convlab::regularizer::Regularizer;
use convlab::rng::Rng;
use convlab::Tensor;
use ndarray::IxDyn;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// An element matches when `|convlab − keras| ≤ absolute + relative · |keras|`.
#[derive(Clone, Copy, Debug)]
struct Tolerance {
    absolute: f32,
    relative: f32,
}

impl Tolerance {
    fn allows(self, actual: f32, expected: f32) -> bool {
        (actual - expected).abs() <= self.absolute + self.relative * expected.abs()
    }
}

/// Turns nested JSON arrays of numbers (a number alone is a rank-0 tensor) into a tensor.
fn tensor_from_json(value: &Value) -> Result<Tensor, String> {
    let mut shape = Vec::new();
    let mut level = value;
    while let Value::Array(items) = level {
        shape.push(items.len());
        match items.first() {
            Some(first) => level = first,
            None => break,
        }
    }
    let mut data = Vec::with_capacity(shape.iter().product());
    flatten_into(value, &shape, &mut data)?;
    Tensor::from_shape_vec(IxDyn(&shape), data).map_err(|error| error.to_string())
}

fn flatten_into(value: &Value, shape: &[usize], data: &mut Vec<f32>) -> Result<(), String> {
    match (value, shape.split_first()) {
        (Value::Number(number), None) => {
            data.push(number.as_f64().ok_or("a number out of range")? as f32);
            Ok(())
        }
        (Value::Array(items), Some((&length, inner))) if items.len() == length => items
            .iter()
            .try_for_each(|item| flatten_into(item, inner, data)),
        _ => Err(format!("not a rectangular array of numbers near {value}")),
    }
}

/// The position of element `flat_index` of a tensor of `shape`, as `[i, j, k]`.
fn multi_index(shape: &[usize], mut flat_index: usize) -> Vec<usize> {
    let mut index = vec![0; shape.len()];
    for (position, &size) in index.iter_mut().zip(shape).rev() {
        *position = flat_index % size;
        flat_index /= size;
    }
    index
}

/// One case of a fixture: reads its fields and compares convlab's numbers with them, naming the
/// fixture, the case and the field in every message.
struct Case<'a> {
    fixture: &'a str,
    name: &'a str,
    json: &'a Value,
}

impl Case<'_> {
    fn value(&self, key: &str) -> &Value {
        self.json
            .get(key)
            .unwrap_or_else(|| panic!("{} case '{}': no field '{key}'", self.fixture, self.name))
    }

    fn string(&self, key: &str) -> &str {
        self.value(key).as_str().unwrap_or_else(|| {
            panic!(
                "{} case '{}': field '{key}' is not a string",
                self.fixture, self.name
            )
        })
    }

    fn tensor(&self, key: &str) -> Tensor {
        self.tensor_at(self.value(key), key)
    }

    fn tensor_at(&self, value: &Value, what: &str) -> Tensor {
        tensor_from_json(value).unwrap_or_else(|error| {
            panic!(
                "{} case '{}': field '{what}': {error}",
                self.fixture, self.name
            )
        })
    }

    /// `None` when the field is `null` (no bias).
    fn optional_tensor(&self, key: &str) -> Option<Tensor> {
        match self.value(key) {
            Value::Null => None,
            _ => Some(self.tensor(key)),
        }
    }

    fn deserialize<T: DeserializeOwned>(&self, key: &str) -> T {
        serde_json::from_value(self.value(key).clone()).unwrap_or_else(|error| {
            panic!(
                "{} case '{}': field '{key}' does not deserialise: {error}",
                self.fixture, self.name
            )
        })
    }

    fn assert_close(&self, field: &str, actual: &Tensor, expected: &Tensor, tolerance: Tolerance) {
        assert_eq!(
            actual.shape(),
            expected.shape(),
            "{} case '{}' field '{field}': convlab's shape differs from Keras's",
            self.fixture,
            self.name
        );
        let mismatches: Vec<(usize, f32, f32)> = actual
            .iter()
            .zip(expected.iter())
            .enumerate()
            .filter(|(_, (&a, &e))| !tolerance.allows(a, e))
            .map(|(i, (&a, &e))| (i, a, e))
            .collect();
        if let Some(&(first, a, e)) = mismatches.first() {
            let worst = mismatches
                .iter()
                .map(|&(_, a, e)| (a - e).abs())
                .fold(0.0f32, f32::max);
            panic!(
                "{} case '{}' field '{field}': {} of {} elements differ; first at {:?}: convlab {a} vs keras {e}; largest difference {worst:e} (tolerance {tolerance:?})",
                self.fixture,
                self.name,
                mismatches.len(),
                expected.len(),
                multi_index(expected.shape(), first)
            );
        }
    }

    fn assert_field_close(&self, key: &str, actual: &Tensor, tolerance: Tolerance) {
        self.assert_close(key, actual, &self.tensor(key), tolerance);
    }

    fn assert_scalar_close(&self, key: &str, actual: f32, tolerance: Tolerance) {
        let actual = Tensor::from_elem(IxDyn(&[]), actual);
        self.assert_close(key, &actual, &self.tensor(key), tolerance);
    }
}

/// Runs `check` on every case of `tests/fixtures/{file}` and fails with the messages of all the
/// cases that failed.
fn check_every_case(file: &str, check: impl Fn(&Case)) {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    let fixture: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{path} is not JSON: {error}"));
    let cases = fixture["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{path} has no \"cases\" list"));
    assert!(!cases.is_empty(), "{path} has no cases");
    let failures: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(index, json)| {
            let name = json["name"].as_str().unwrap_or("(unnamed)");
            let case = Case {
                fixture: file,
                name,
                json,
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&case)));
            outcome.err().map(|payload| {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panicked".to_string());
                format!("case {index} '{name}': {message}")
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{file}: {} of {} cases differ from Keras:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The parameter names of `layer` must be `expected` in Keras order; a fixture weight is then
/// loaded into each parameter of the same name.
fn load_weights(case: &Case, layer: &mut dyn Layer, weights: &[(&str, Tensor)]) {
    let names: Vec<&str> = layer.params().iter().map(|param| param.name).collect();
    let expected: Vec<&str> = weights.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names, expected,
        "{} case '{}': parameters are not in Keras order",
        case.fixture, case.name
    );
    for (param, (_, value)) in layer.params_mut().iter_mut().zip(weights) {
        assert_eq!(
            param.value.shape(),
            value.shape(),
            "{} case '{}': parameter '{}' has a shape other than Keras's",
            case.fixture,
            case.name,
            param.name
        );
        param.value.assign(value);
    }
}

/// Builds the layer of `config` for the case's `input`, with `weights` (Keras order).
fn build_layer(
    case: &Case,
    config: &dyn LayerConfig,
    weights: &[(&str, Tensor)],
) -> Box<dyn Layer> {
    let input = case.tensor("input");
    let mut layer = config.build(&input.shape()[1..], &mut Rng::new(0));
    load_weights(case, layer.as_mut(), weights);
    layer
}

/// The forward of the case's `input` in `mode`, then the backward of its `grad_output`: returns
/// the output and the gradient with respect to the input (parameter gradients stay in the layer).
fn forward_backward(case: &Case, layer: &mut dyn Layer, mode: Mode) -> (Tensor, Tensor) {
    let input = case.tensor("input");
    let mut output = Tensor::zeros(IxDyn(&[0]));
    layer.forward(&input, &mut output, mode, &mut Rng::new(0));
    let mut grad_output = case.tensor("grad_output");
    let mut grad_input = Tensor::zeros(input.raw_dim());
    layer.backward(&input, &output, &mut grad_output, Some(&mut grad_input));
    (output, grad_input)
}

/// The kernel and (when the case has one) bias of a Conv2D or Dense case.
fn kernel_and_bias(case: &Case) -> Vec<(&'static str, Tensor)> {
    let mut weights = vec![("kernel", case.tensor("kernel"))];
    weights.extend(case.optional_tensor("bias").map(|bias| ("bias", bias)));
    weights
}

/// Forward and backward of a Conv2D or Dense case: output, grad_input, grad_kernel, grad_bias.
fn check_kernel_layer(case: &Case, config: &dyn LayerConfig, tolerance: Tolerance) {
    let weights = kernel_and_bias(case);
    let mut layer = build_layer(case, config, &weights);
    let (output, grad_input) = forward_backward(case, layer.as_mut(), Mode::Train);
    case.assert_field_close("output", &output, tolerance);
    case.assert_field_close("grad_input", &grad_input, tolerance);
    let params = layer.params();
    case.assert_field_close("grad_kernel", &params[0].grad, tolerance);
    if weights.len() == 2 {
        case.assert_field_close("grad_bias", &params[1].grad, tolerance);
    }
}

#[test]
fn conv2d_matches_keras() {
    // Sums of up to 72 products of O(1) numbers in f32.
    let tolerance = Tolerance {
        absolute: 1e-5,
        relative: 1e-5,
    };
    check_every_case("conv2d.json", |case| {
        let config: Conv2dConfig = case.deserialize("config");
        check_kernel_layer(case, &config, tolerance);
    });
}

#[test]
fn pooling_matches_keras() {
    // Max pooling is exact; averages are sums of at most 9 numbers.
    let tolerance = Tolerance {
        absolute: 1e-6,
        relative: 1e-5,
    };
    check_every_case("pooling.json", |case| {
        let config: Box<dyn LayerConfig> = match case.string("class_name") {
            "GlobalAveragePooling2D" => {
                Box::new(case.deserialize::<GlobalAveragePooling2dConfig>("config"))
            }
            class_name => {
                let mut config: Pooling2dConfig = case.deserialize("config");
                config.kind = match class_name {
                    "MaxPooling2D" => PoolKind::Max,
                    "AveragePooling2D" => PoolKind::Average,
                    other => panic!("unknown pooling class {other}"),
                };
                Box::new(config)
            }
        };
        let mut layer = build_layer(case, config.as_ref(), &[]);
        let (output, grad_input) = forward_backward(case, layer.as_mut(), Mode::Train);
        case.assert_field_close("output", &output, tolerance);
        case.assert_field_close("grad_input", &grad_input, tolerance);
    });
}

#[test]
fn dense_matches_keras() {
    // Sums of 4 products; softmax and sigmoid add one exp each.
    let tolerance = Tolerance {
        absolute: 1e-5,
        relative: 1e-5,
    };
    check_every_case("dense.json", |case| {
        let config: DenseConfig = case.deserialize("config");
        check_kernel_layer(case, &config, tolerance);
    });
}

#[test]
fn batch_normalization_matches_keras() {
    // Means and variances over at most 36 values, then a division by sqrt(variance + epsilon).
    let tolerance = Tolerance {
        absolute: 1e-5,
        relative: 1e-5,
    };
    check_every_case("batch_normalization.json", |case| {
        let config: BatchNormalizationConfig = case.deserialize("config");
        let weights = ["gamma", "beta", "moving_mean", "moving_variance"]
            .map(|name| (name, case.tensor(name)));

        let mut layer = build_layer(case, &config, &weights);
        let (output, grad_input) = forward_backward(case, layer.as_mut(), Mode::Train);
        case.assert_field_close("train_output", &output, tolerance);
        case.assert_field_close("train_grad_input", &grad_input, tolerance);
        let params = layer.params();
        case.assert_field_close("train_grad_gamma", &params[0].grad, tolerance);
        case.assert_field_close("train_grad_beta", &params[1].grad, tolerance);
        case.assert_field_close("train_moving_mean", &params[2].value, tolerance);
        case.assert_field_close("train_moving_variance", &params[3].value, tolerance);

        let mut layer = build_layer(case, &config, &weights);
        let mut output = Tensor::zeros(IxDyn(&[0]));
        layer.forward(
            &case.tensor("input"),
            &mut output,
            Mode::Infer,
            &mut Rng::new(0),
        );
        case.assert_field_close("infer_output", &output, tolerance);
    });
}

#[test]
fn losses_match_keras() {
    // Logs and exps of f32; the largest gradient (about 57) gets a relative allowance.
    let tolerance = Tolerance {
        absolute: 1e-6,
        relative: 1e-5,
    };
    check_every_case("losses.json", |case| {
        let loss = match case.string("class_name") {
            "CategoricalCrossentropy" => Loss::CategoricalCrossentropy,
            "SparseCategoricalCrossentropy" => Loss::SparseCategoricalCrossentropy,
            "MeanSquaredError" => Loss::Mse,
            other => panic!("unknown loss class {other}"),
        };
        let targets = case.tensor("targets");
        if case.value("from_logits").as_bool() == Some(true) {
            let logits = case.tensor("logits");
            let mut probabilities = Tensor::zeros(logits.raw_dim());
            let mut grad_logits = Tensor::zeros(logits.raw_dim());
            let value = loss.from_logits(&logits, &targets, &mut probabilities, &mut grad_logits);
            case.assert_scalar_close("value", value, tolerance);
            case.assert_field_close("probabilities", &probabilities, tolerance);
            case.assert_field_close("grad", &grad_logits, tolerance);
        } else {
            let predictions = case.tensor("predictions");
            case.assert_scalar_close("value", loss.compute(&predictions, &targets), tolerance);
            let mut grad = Tensor::zeros(predictions.raw_dim());
            loss.gradient(&predictions, &targets, &mut grad);
            case.assert_field_close("grad", &grad, tolerance);
        }
    });
}

#[test]
fn optimizers_match_keras() {
    // Three f32 steps; the absolute part is small because one case moves weights of 1e-3 by 1e-5.
    let tolerance = Tolerance {
        absolute: 1e-7,
        relative: 1e-5,
    };
    check_every_case("optimizers.json", |case| {
        let config: OptimizerConfig = serde_json::from_value(json!({
            "class_name": case.value("class_name"),
            "config": case.value("config"),
        }))
        .unwrap_or_else(|error| {
            panic!(
                "{} case '{}': the Keras get_config() does not deserialise: {error}",
                case.fixture, case.name
            )
        });
        let mut optimizer = config.build();
        let list = |value: &Value, what: &str| -> Vec<Value> {
            value.as_array().cloned().unwrap_or_else(|| {
                panic!(
                    "{} case '{}': '{what}' is not a list",
                    case.fixture, case.name
                )
            })
        };
        let tensors = |value: &Value, what: &str| -> Vec<Tensor> {
            list(value, what)
                .iter()
                .map(|v| case.tensor_at(v, what))
                .collect()
        };
        let steps = list(case.value("gradients"), "gradients");
        let expected_steps = list(case.value("weights_after_step"), "weights_after_step");
        assert_eq!(
            steps.len(),
            expected_steps.len(),
            "{}: one result per step",
            case.name
        );
        let mut variables = tensors(case.value("initial"), "initial");
        for (step, (gradients, expected)) in steps.iter().zip(&expected_steps).enumerate() {
            let gradients = tensors(gradients, "gradients");
            optimizer.begin_step();
            for (slot, (variable, gradient)) in variables.iter_mut().zip(&gradients).enumerate() {
                optimizer.update(slot, variable, gradient);
            }
            let expected = tensors(expected, "weights_after_step");
            for (slot, (variable, expected)) in variables.iter().zip(&expected).enumerate() {
                let field = format!("weights_after_step[{step}][{slot}]");
                case.assert_close(&field, variable, expected, tolerance);
            }
        }
    });
}

#[test]
fn regularizers_match_keras() {
    // Sums of 15 terms of size 0.01-0.05.
    let tolerance = Tolerance {
        absolute: 1e-6,
        relative: 1e-5,
    };
    check_every_case("regularizers.json", |case| {
        let config: DenseConfig = case.deserialize("config");
        let regularizer: Regularizer = config.kernel_regularizer;
        assert_eq!(
            regularizer,
            Regularizer { l1: 0.01, l2: 0.02 },
            "case '{}': the Keras L1L2 config is misread",
            case.name
        );
        let kernel = case.tensor("kernel");
        case.assert_scalar_close("penalty", regularizer.penalty(&kernel), tolerance);
        let mut grad = case.tensor("grad_kernel_data");
        regularizer.add_gradient(&kernel, &mut grad);
        case.assert_field_close("grad_kernel_total", &grad, tolerance);
    });
}

#[test]
fn json_helper_reads_nested_arrays_and_rejects_ragged_ones() {
    let tensor = tensor_from_json(&json!([[[1.5], [2]], [[3], [4.25]]])).unwrap();
    assert_eq!(tensor.shape(), &[2, 2, 1]);
    assert_eq!(
        tensor.iter().copied().collect::<Vec<_>>(),
        [1.5, 2.0, 3.0, 4.25]
    );
    assert_eq!(
        tensor_from_json(&json!(0.5)).unwrap().shape(),
        &[] as &[usize]
    );
    assert!(tensor_from_json(&json!([[1, 2], [3]])).is_err());
    assert!(tensor_from_json(&json!([1, "2"])).is_err());
    assert_eq!(multi_index(&[2, 3, 4], 23), vec![1, 2, 3]);
    assert_eq!(multi_index(&[2, 3, 4], 5), vec![0, 1, 1]);
}
