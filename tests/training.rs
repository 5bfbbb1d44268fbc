//! Training end to end on real MNIST subsets: learning, determinism, early stopping, evaluation,
//! predictions, and saving/loading in the TensorFlow.js format.

mod common;

use convlab::data::dataset::Dataset;
use convlab::loss::Loss;
use convlab::model::Sequential;
use convlab::optimizers::OptimizerConfig;
use convlab::presets::{lesson_cnn, lesson_mlp};
use convlab::spec::{LayerSpec, ModelSpec};
use convlab::tfjs;
use convlab::training::{evaluate, EarlyStopping, Fit, History, TrainingConfig};
use convlab::Tensor;
use serde_json::json;

use common::mnist;

fn config(epochs: usize, batch_size: usize, seed: u64) -> TrainingConfig {
    TrainingConfig {
        epochs,
        batch_size,
        seed,
        ..TrainingConfig::default()
    }
}

fn train(spec: &ModelSpec, data: Dataset, config: TrainingConfig) -> (Sequential, History) {
    let model = Sequential::from_spec(spec, config.seed).unwrap();
    let mut fit = Fit::new(model, data, None, config).unwrap();
    fit.run(|_| true).unwrap();
    fit.into_parts()
}

fn weights(model: &Sequential) -> Vec<Tensor> {
    model.snapshot_weights()
}

#[test]
fn the_lesson_cnn_learns_a_small_subset() {
    let (mut model, history) = train(&lesson_cnn(), mnist().train.take(3000), config(1, 32, 1));
    assert_eq!(history.epochs.len(), 1);
    assert_eq!(history.batches.len(), 94, "3000 / 32 rounded up");
    let first = history.batches[0].loss;
    let last = history.batches.last().unwrap().epoch_loss;
    assert!(
        first > 2.0 && last < 1.0,
        "loss should fall from ~2.3: first {first}, epoch mean {last}"
    );
    let test = evaluate(
        &mut model,
        &mnist().test.take(1000),
        Loss::CategoricalCrossentropy,
        256,
    )
    .unwrap();
    assert!(test.accuracy > 0.85, "test accuracy {}", test.accuracy);
}

#[test]
fn the_same_seed_gives_a_bit_identical_run_and_another_seed_does_not() {
    let data = || mnist().train.take(1000);
    let mut settings = config(2, 50, 7);
    settings.validation_split = 0.2;
    let spec = ModelSpec::sequential(vec![
        LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1]})),
        LayerSpec::new("Dense", json!({"units": 32, "activation": "relu"})),
        LayerSpec::new("Dropout", json!({"rate": 0.3})),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ]);
    let (model_a, history_a) = train(&spec, data(), settings.clone());
    let (model_b, history_b) = train(&spec, data(), settings.clone());
    assert_eq!(history_a, history_b);
    assert_eq!(weights(&model_a), weights(&model_b));
    assert!(
        history_a.epochs[1].val_loss.is_some(),
        "validation_split gives validation metrics"
    );
    settings.seed = 8;
    let (model_c, _) = train(&spec, data(), settings);
    assert_ne!(weights(&model_a), weights(&model_c));
}

#[test]
fn sparse_and_categorical_cross_entropy_train_identically() {
    let mut sparse = config(1, 100, 3);
    sparse.loss = Loss::SparseCategoricalCrossentropy;
    let (model_sparse, history_sparse) = train(&lesson_mlp(), mnist().train.take(500), sparse);
    let (model_categorical, history_categorical) =
        train(&lesson_mlp(), mnist().train.take(500), config(1, 100, 3));
    for (a, b) in history_sparse
        .batches
        .iter()
        .zip(&history_categorical.batches)
    {
        assert!((a.loss - b.loss).abs() < 1e-5, "{} vs {}", a.loss, b.loss);
    }
    for (a, b) in weights(&model_sparse)
        .iter()
        .zip(weights(&model_categorical).iter())
    {
        assert!(a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() < 1e-5));
    }
}

#[test]
fn early_stopping_stops_after_patience_and_restores_the_best_weights() {
    // With min_delta = 10 no epoch after the first counts as an improvement, so patience 1
    // stops after the second epoch and restores the weights of the first.
    let mut settings = config(10, 100, 5);
    settings.early_stopping = Some(EarlyStopping {
        monitor: "loss".into(),
        min_delta: 10.0,
        patience: 1,
        restore_best_weights: true,
    });
    let (stopped, history) = train(&lesson_mlp(), mnist().train.take(500), settings);
    assert_eq!(history.epochs.len(), 2);
    assert_eq!(history.stopped_epoch, Some(1));
    assert_eq!(history.best_epoch, Some(0));
    let (one_epoch, _) = train(&lesson_mlp(), mnist().train.take(500), config(1, 100, 5));
    assert_eq!(weights(&stopped), weights(&one_epoch));
}

#[test]
fn predict_agrees_with_evaluate() {
    let (mut model, _) = train(&lesson_mlp(), mnist().train.take(1000), config(1, 64, 2));
    let test = mnist().test.take(500);
    let indices: Vec<usize> = (0..test.len()).collect();
    let mut images = Tensor::zeros(ndarray::IxDyn(&[0]));
    test.fill_images(&indices, &mut images);
    let probabilities = model.predict(&images, 128);
    assert_eq!(probabilities.shape(), &[500, 10]);
    let correct = probabilities
        .outer_iter()
        .enumerate()
        .filter(|(i, row)| {
            let predicted = row
                .iter()
                .enumerate()
                .fold(0, |best, (j, &p)| if p > row[best] { j } else { best });
            predicted == test.label(*i)
        })
        .count();
    for row in probabilities.outer_iter() {
        assert!((row.sum() - 1.0).abs() < 1e-5, "softmax rows sum to 1");
    }
    let evaluation = evaluate(&mut model, &test, Loss::CategoricalCrossentropy, 100).unwrap();
    assert_eq!(evaluation.accuracy, correct as f32 / 500.0);
}

#[test]
fn a_saved_model_loads_with_identical_predictions() {
    let spec = ModelSpec::sequential(vec![
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 4, "kernel_size": 3, "activation": "relu", "input_shape": [28, 28, 1]}),
        ),
        LayerSpec::new("BatchNormalization", json!({})),
        LayerSpec::new("MaxPooling2D", json!({})),
        LayerSpec::new("Flatten", json!({})),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ]);
    let (mut model, _) = train(&spec, mnist().train.take(300), config(1, 100, 4));
    let dir = std::env::temp_dir().join(format!("convlab-save-{}", std::process::id()));
    tfjs::save_dir(&model, &dir).unwrap();
    let text = std::fs::read_to_string(dir.join("model.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["format"], "layers-model");
    assert_eq!(
        json["modelTopology"]["config"]["layers"][0]["config"]["batch_input_shape"],
        json!([null, 28, 28, 1])
    );
    let names: Vec<&str> = json["weightsManifest"][0]["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "conv2d/kernel",
            "conv2d/bias",
            "batch_normalization/gamma",
            "batch_normalization/beta",
            "batch_normalization/moving_mean",
            "batch_normalization/moving_variance",
            "dense/kernel",
            "dense/bias"
        ]
    );
    let bin = std::fs::metadata(dir.join(tfjs::WEIGHTS_FILE))
        .unwrap()
        .len();
    assert_eq!(bin, 4 * (3 * 3 * 4 + 4 + 4 * 4 + 13 * 13 * 4 * 10 + 10));

    let mut loaded = tfjs::load_path(&dir.join("model.json"), 99).unwrap();
    let mut images = Tensor::zeros(ndarray::IxDyn(&[0]));
    mnist().test.fill_images(&[0, 1, 2, 3], &mut images);
    assert_eq!(model.predict(&images, 4), loaded.predict(&images, 4));
    std::fs::remove_dir_all(dir).unwrap();
}

fn load_error(model_json: &str, bin: Vec<u8>) -> String {
    tfjs::from_artifacts(model_json, |_| Ok(bin.clone()), 0)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

#[test]
fn broken_model_files_are_clear_errors() {
    let model = Sequential::from_spec(&lesson_mlp(), 0).unwrap();
    let artifacts = tfjs::to_artifacts(&model);
    let good = artifacts.weights.clone();
    assert!(tfjs::from_artifacts(&artifacts.model_json, |_| Ok(good.clone()), 0).is_ok());

    let short = good[..good.len() - 4].to_vec();
    assert_eq!(
        load_error(&artifacts.model_json, short),
        "Model file: the weights file is too short: 'dense_2/bias' needs bytes 2678784..2678824 but the file has 2678820"
    );
    let mut long = good.clone();
    long.extend([0; 8]);
    assert_eq!(
        load_error(&artifacts.model_json, long),
        "Model file: the weights file has 2678832 bytes but the manifest describes 2678824; it does not belong to this model.json"
    );
    let mut nan = good.clone();
    nan[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(
        load_error(&artifacts.model_json, nan),
        "Model file: weight 'dense/kernel' contains NaN or infinite values (saved from a run that diverged?): train it again with a lower learning rate and save it again"
    );
    let renamed = artifacts
        .model_json
        .replace("\"dense_1/kernel\"", "\"dense_9/kernel\"");
    assert_eq!(
        load_error(&renamed, good.clone()),
        "Model file: the weights manifest has no 'dense_1/kernel', which the model needs"
    );
    let int8 = artifacts.model_json.replacen("\"float32\"", "\"int8\"", 2);
    assert!(load_error(&int8, good.clone()).contains("convlab reads float32 weights only"));
    assert!(load_error(
        "{\"format\": \"graph-model\", \"modelTopology\": {}}",
        vec![]
    )
    .contains("not graph models"));
    assert!(load_error("[1, 2]", vec![])
        .starts_with("Model file: model.json is not a TensorFlow.js Layers model"));
}

#[test]
fn bad_settings_and_mismatched_data_are_clear_errors() {
    let error = |settings: TrainingConfig, spec: &ModelSpec| {
        let model = Sequential::from_spec(spec, 0).unwrap();
        Fit::new(model, mnist().train.take(100), None, settings)
            .err()
            .unwrap()
            .to_string()
    };
    let mlp = lesson_mlp();
    assert_eq!(
        error(config(1, 0, 0), &mlp),
        "batch_size: 0 is not allowed; use at least 1, e.g. 32 or 128"
    );
    assert_eq!(
        error(config(0, 32, 0), &mlp),
        "epochs: 0 is not allowed; use 1 to 10000, e.g. 5"
    );
    let mut split = config(1, 32, 0);
    split.validation_split = 1.0;
    assert_eq!(
        error(split, &mlp),
        "validation_split: 1 is outside [0, 1); use a fraction such as 0.1"
    );
    let mut early = config(1, 32, 0);
    early.early_stopping = Some(EarlyStopping::default());
    assert_eq!(
        error(early, &mlp),
        "early_stopping.monitor: 'val_loss' needs validation data; set a validation split such as 0.1, or monitor 'loss'"
    );
    let mut lr = config(1, 32, 0);
    lr.optimizer = OptimizerConfig::from_name("sgd")
        .unwrap()
        .with_learning_rate(-1.0);
    assert!(
        error(lr, &mlp).starts_with("learning_rate:"),
        "{}",
        error(config(1, 32, 0), &mlp)
    );
    let five_classes = ModelSpec::sequential(vec![
        LayerSpec::new("Flatten", json!({"input_shape": [28, 28, 1]})),
        LayerSpec::new("Dense", json!({"units": 5, "activation": "softmax"})),
    ]);
    assert_eq!(
        error(config(1, 32, 0), &five_classes),
        "Shape: the model outputs (None, 5) but the training data has 10 classes; make the last layer Dense(10, activation='softmax')"
    );
}

/// Ten Adam steps of the lesson CNN from Keras's initial weights on the first 320 training images
/// (batches of 32, in order) give Keras's batch losses and weights: the whole training step —
/// forward, fused softmax cross-entropy, backward, Adam — pinned end to end.
/// Fixture: `tools/make_training_fixture.py` (TensorFlow 2.21, Keras 3.15).
#[test]
fn ten_training_steps_match_keras() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/training_steps.json"
    ))
    .unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let shapes: Vec<Vec<usize>> = serde_json::from_value(fixture["shapes"].clone()).unwrap();
    let initial: Vec<Vec<f32>> =
        serde_json::from_value(fixture["initial_weights"].clone()).unwrap();
    let mut model = Sequential::from_spec(&lesson_cnn(), 0).unwrap();
    let weights = shapes
        .iter()
        .zip(initial)
        .map(|(shape, values)| Tensor::from_shape_vec(ndarray::IxDyn(shape), values).unwrap());
    model.set_weights(weights.collect()).unwrap();

    let settings = TrainingConfig {
        shuffle: false,
        ..config(1, 32, 0)
    };
    let mut fit = Fit::new(model, mnist().train.take(320), None, settings).unwrap();
    let mut losses = Vec::new();
    fit.run(|step| {
        losses.push(step.batch.loss);
        true
    })
    .unwrap();
    let expected: Vec<f32> = serde_json::from_value(fixture["batch_losses"].clone()).unwrap();
    for (i, (ours, keras)) in losses.iter().zip(&expected).enumerate() {
        assert!(
            (ours - keras).abs() < 1e-4,
            "batch {i}: convlab {ours} vs Keras {keras}"
        );
    }
    assert_eq!(losses.len(), expected.len());

    let every = fixture["final_weights_sample_every"].as_u64().unwrap() as usize;
    let samples: Vec<Vec<f32>> =
        serde_json::from_value(fixture["final_weights_sample"].clone()).unwrap();
    let mut worst = 0.0f32;
    for ((name, ours), keras) in fit.model().weights().iter().zip(&samples) {
        for (value, expected) in ours.iter().step_by(every).zip(keras) {
            let difference = (value - expected).abs();
            worst = worst.max(difference);
            assert!(
                difference < 1e-4,
                "{name}: convlab {value} vs Keras {expected}"
            );
        }
    }
    eprintln!("largest weight difference after 10 steps: {worst:e}");
}

/// Data-parallel training: two identical runs each compute half of every batch, their gradients
/// are combined weighted by shard size and written back to both, and both apply the update. The
/// result equals one worker training whole batches, up to float rounding.
#[test]
fn two_shards_train_like_one_worker() {
    let data = || mnist().train.take(600);
    let settings = config(2, 100, 11);
    let spec = lesson_mlp();
    let (single, single_history) = train(&spec, data(), settings.clone());

    let new_fit = || {
        Fit::new(
            Sequential::from_spec(&spec, settings.seed).unwrap(),
            data(),
            None,
            settings.clone(),
        )
        .unwrap()
    };
    let mut workers = [new_fit(), new_fit()];
    let len = workers[0].gradient_len();
    let (mut sum, mut part) = (vec![0.0f32; len], vec![0.0f32; len]);
    let mut losses = Vec::new();
    while !workers[0].is_finished() {
        sum.fill(0.0);
        let mut total = convlab::training::BatchStats::default();
        for (shard, worker) in workers.iter_mut().enumerate() {
            let stats = worker.compute_gradients(shard, 2).unwrap();
            worker.read_gradients(&mut part, stats.size as f32);
            sum.iter_mut().zip(&part).for_each(|(s, p)| *s += p);
            total = total.combine(stats);
        }
        sum.iter_mut().for_each(|s| *s /= total.size as f32);
        for worker in &mut workers {
            worker.write_gradients(&sum);
            let step = worker.apply_gradients(total).unwrap();
            losses.push(step.batch.loss);
        }
    }
    for (a, b) in weights(workers[0].model())
        .iter()
        .zip(weights(workers[1].model()).iter())
    {
        assert_eq!(a, b, "both workers hold the same weights");
    }
    for (a, b) in weights(workers[0].model())
        .iter()
        .zip(weights(&single).iter())
    {
        let worst = a
            .iter()
            .zip(b.iter())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-4,
            "sharded vs single worker: largest weight difference {worst}"
        );
    }
    let sharded_history = workers[0].history();
    for (a, b) in sharded_history.epochs.iter().zip(&single_history.epochs) {
        assert!(
            (a.loss - b.loss).abs() < 1e-4 && (a.accuracy - b.accuracy).abs() < 1e-6,
            "{a:?} vs {b:?}"
        );
    }
    assert_eq!(losses.len(), 2 * 12);
}

#[test]
fn training_settings_of_the_wrong_kind_name_the_setting_and_a_fix() {
    for (json, expected) in [
        (
            r#"{"batch_size": -3}"#,
            "batch_size: -3 is not allowed; use a whole number of at least 1, e.g. 32",
        ),
        (
            r#"{"epochs": "abc"}"#,
            "epochs: abc is not allowed; use a whole number of at least 1, e.g. 5",
        ),
        (
            r#"{"batch_size": null}"#,
            "batch_size: null is not allowed; use a whole number of at least 1, e.g. 32",
        ),
    ] {
        let error = TrainingConfig::from_json(json).unwrap_err();
        assert_eq!(error.code(), "setting.range");
        assert_eq!(error.to_string(), expected);
    }
    assert_eq!(
        TrainingConfig::from_json("{}").unwrap(),
        TrainingConfig::default()
    );
}
