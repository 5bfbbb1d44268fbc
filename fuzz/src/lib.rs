//! The properties the convlab fuzz targets check once their input has been read.
//!
//! Reading untrusted input (a model spec, a TensorFlow.js model, an idx file, pasted Keras code)
//! must return `Ok` or `Err`, never panic and never abort on allocation. What it accepts must also
//! survive every way out and back in that convlab offers: spec → JSON → spec, architecture →
//! spec → architecture, architecture → Keras code → architecture, and model → `model.json` +
//! `.bin` → model. A small accepted model is then built and trained for a step, because a spec
//! that passes validation must not panic later either.

pub mod arbitrary_spec;

use convlab::data::dataset::Dataset;
use convlab::keras_code::{check_keras, export_keras, parse_keras, Style};
use convlab::layers::Mode;
use convlab::loss::Loss;
use convlab::model::Sequential;
use convlab::optimizers::OptimizerConfig;
use convlab::rng::Rng;
use convlab::spec::{Architecture, LayerKind, LayerPlan, ModelSpec};
use convlab::tfjs::{from_artifacts, to_artifacts};
use convlab::training::{evaluate, Fit, TrainingConfig};
use convlab::Tensor;
use ndarray::IxDyn;

/// The largest model the targets build and train (parameters): big enough for every layer kind
/// on small images, small enough for thousands of executions per second.
const SMALL_PARAMS: usize = 50_000;

/// The largest per-sample activation (values) of any layer in a model the targets build.
const SMALL_ACTIVATIONS: usize = 50_000;

/// The largest estimated multiply-adds per image of a model the targets build.
const SMALL_MULTIPLY_ADDS: usize = 2_000_000;

/// Checks a parsed spec: its JSON reads back as the same spec, and checking it gives the same
/// result twice; when it is accepted, [`check_architecture`] follows.
pub fn check_spec(spec: &ModelSpec) {
    let json = spec.to_json();
    let reread = ModelSpec::from_json(&json)
        .unwrap_or_else(|error| panic!("a spec's own JSON does not read back ({error}): {json}"));
    assert_eq!(&reread, spec, "spec → JSON → spec changed the spec: {json}");
    if let Ok(architecture) = Architecture::from_spec(spec) {
        check_architecture(&architecture);
    }
}

/// Checks an accepted architecture: it round-trips through its spec and through exported Keras
/// code in both styles, and when it is small, the built model round-trips through TensorFlow.js
/// files and trains for one epoch of three images.
pub fn check_architecture(architecture: &Architecture) {
    let spec = architecture.to_spec();
    let again = Architecture::from_spec(&spec).unwrap_or_else(|error| {
        panic!(
            "an accepted architecture's own spec is rejected ({error}): {}",
            spec.to_json()
        )
    });
    assert_eq!(&again, architecture, "architecture → spec → architecture");

    for style in Style::ALL {
        let code = export_keras(architecture, &TrainingConfig::default(), style);
        let parsed = parse_keras(&code).unwrap_or_else(|error| {
            panic!("exported Keras code does not parse ({error}):\n{code}")
        });
        let read_back = Architecture::from_spec(&parsed).unwrap_or_else(|error| {
            panic!("exported Keras code gives a rejected spec ({error}):\n{code}")
        });
        assert_eq!(&read_back, architecture, "Keras export → parse:\n{code}");
    }

    if is_small(architecture) {
        let model = Sequential::new(architecture.clone(), 1);
        check_model(&model);
        train_briefly(model);
    }
}

/// Checks a built model: its TensorFlow.js files load back as the same architecture with
/// bit-identical weights, and when it is small, it predicts on a batch of two.
pub fn check_model(model: &Sequential) {
    let artifacts = to_artifacts(model);
    let loaded = from_artifacts(&artifacts.model_json, |_| Ok(artifacts.weights.clone()), 2)
        .unwrap_or_else(|error| {
            panic!(
                "a model's own TensorFlow.js files do not load ({error}): {}",
                artifacts.model_json
            )
        });
    assert_eq!(
        loaded.architecture(),
        model.architecture(),
        "tfjs round trip"
    );
    let bits = |model: &Sequential| -> Vec<u32> {
        model
            .weights_flat()
            .iter()
            .map(|value| value.to_bits())
            .collect()
    };
    assert_eq!(
        bits(&loaded),
        bits(model),
        "tfjs round trip changed weights"
    );
}

/// Whether a model is small enough to build and train inside a fuzz execution.
pub fn is_small(architecture: &Architecture) -> bool {
    architecture.params().total() <= SMALL_PARAMS
        && architecture
            .layers
            .iter()
            .all(|layer| elements(&layer.output_shape) <= SMALL_ACTIVATIONS)
        && architecture
            .layers
            .iter()
            .map(multiply_adds)
            .try_fold(0usize, |sum, cost| sum.checked_add(cost?))
            .is_some_and(|total| total <= SMALL_MULTIPLY_ADDS)
}

/// The number of values in a per-sample shape (saturating: shapes here can be absurd).
fn elements(shape: &[usize]) -> usize {
    shape
        .iter()
        .try_fold(1usize, |product, &dim| product.checked_mul(dim))
        .unwrap_or(usize::MAX)
}

/// An upper bound on a layer's multiply-adds per image: its outputs times the inputs each one
/// reads. `None` when that overflows.
fn multiply_adds(layer: &LayerPlan) -> Option<usize> {
    let per_output = match &layer.kind {
        LayerKind::Conv2D(conv) => conv.kernel_size[0]
            .checked_mul(conv.kernel_size[1])?
            .checked_mul(*layer.input_shape.last()?)?,
        LayerKind::Pooling2D(pool) => pool.pool_size[0]
            .checked_mul(pool.pool_size[1])?
            .min(layer.input_shape.first()? * layer.input_shape.get(1)?),
        LayerKind::Dense(_) => *layer.input_shape.last()?,
        LayerKind::GlobalAveragePooling2D(_) => elements(&layer.input_shape),
        _ => 1,
    };
    elements(&layer.output_shape).checked_mul(per_output.max(1))
}

/// Trains `model` as `fit` would on three images when it is an image classifier (input
/// `[h, w, c]`, output `[classes]`), with a loss and an optimizer picked by its shape; otherwise
/// runs it forward in both modes on a batch of two. Any `Err` is fine; a panic is not.
fn train_briefly(mut model: Sequential) {
    let architecture = model.architecture().clone();
    let image_shape: Option<[usize; 3]> = architecture.input_shape.as_slice().try_into().ok();
    let classes = match architecture.output_shape() {
        &[classes] if (1..=256).contains(&classes) => Some(classes),
        _ => None,
    };
    let (Some(image_shape), Some(classes)) = (image_shape, classes) else {
        let mut shape = vec![2];
        shape.extend_from_slice(&architecture.input_shape);
        let count = elements(&shape);
        let input = Tensor::from_shape_vec(
            IxDyn(&shape),
            (0..count).map(|i| (i % 7) as f32 / 7.0).collect(),
        )
        .expect("the length is the shape's product");
        let mut rng = Rng::new(3);
        model.forward(&input, Mode::Infer, &mut rng);
        model.forward(&input, Mode::Train, &mut rng);
        return;
    };
    let image_len = elements(&image_shape);
    let images: Vec<u8> = (0..3 * image_len).map(|i| (i * 37 % 256) as u8).collect();
    let labels: Vec<u8> = (0..3).map(|i| (i % classes) as u8).collect();
    let data = Dataset::new(images, labels, image_shape, classes)
        .expect("three images of the model's input shape");
    let loss = Loss::ALL[architecture.layers.len() % Loss::ALL.len()];
    let optimizer = ["adam", "sgd", "rmsprop", "adagrad"][architecture.params().total() % 4];
    let config = TrainingConfig {
        loss,
        optimizer: OptimizerConfig::from_name(optimizer).expect("a Keras optimizer name"),
        batch_size: 2,
        ..TrainingConfig::default()
    };
    let mut fit = Fit::new(model, data.clone(), None, config)
        .unwrap_or_else(|error| panic!("fit refuses a model its checks accepted: {error}"));
    if fit.run(|_| true).is_ok() {
        let (mut model, _) = fit.into_parts();
        let _ = evaluate(&mut model, &data, loss, 2);
    }
}

/// Checks pasted Keras code: [`check_keras`] agrees with [`parse_keras`] followed by
/// [`Architecture::from_spec`], and an accepted model passes [`check_spec`].
pub fn check_keras_code(source: &str) {
    let parsed = parse_keras(source);
    let checked = check_keras(source);
    match &parsed {
        Ok(spec) => {
            let architecture = Architecture::from_spec(spec);
            assert_eq!(
                checked.as_ref().ok(),
                architecture.as_ref().ok(),
                "check_keras disagrees with parse_keras + from_spec"
            );
            check_spec(spec);
        }
        Err(error) => assert_eq!(
            checked.as_ref().err(),
            Some(error),
            "check_keras and parse_keras report different syntax errors"
        ),
    }
}
