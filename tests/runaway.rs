//! The runaway guard: a learning rate of 10 (SGD or Adam) on the lesson CNN stops within a few
//! batches with `Diverged`, naming the batch and suggesting a lower learning rate; the model keeps
//! the last good weights (finite predictions) and the history keeps the good batches. Healthy
//! settings are never stopped.

mod common;

use convlab::model::Sequential;
use convlab::optimizers::OptimizerConfig;
use convlab::presets::{lesson_cnn, lesson_mlp};
use convlab::spec::{LayerSpec, ModelSpec};
use convlab::training::{BatchStats, Fit, TrainingConfig};
use convlab::ConvlabError;
use serde_json::json;

use common::mnist;

fn fit(spec: &ModelSpec, optimizer: &str, learning_rate: f32) -> Fit {
    let config = TrainingConfig {
        optimizer: OptimizerConfig::from_name(optimizer)
            .unwrap()
            .with_learning_rate(learning_rate),
        ..TrainingConfig::default()
    };
    let model = Sequential::from_spec(spec, 0).unwrap();
    Fit::new(model, mnist().train.take(3200), None, config).unwrap()
}

/// Steps until the run ends or `limit` batches; returns the error that ended it, if any, and the
/// weights before the last step.
fn run_until_error(fit: &mut Fit, limit: usize) -> (Option<ConvlabError>, Vec<f32>) {
    let mut before = fit.model().weights_flat();
    for _ in 0..limit {
        before = fit.model().weights_flat();
        if let Err(error) = fit.step() {
            return (Some(error), before);
        }
    }
    (None, before)
}

fn assert_stops_within_a_few_batches(optimizer: &str) {
    let mut fit = fit(&lesson_cnn(), optimizer, 10.0);
    let (error, before) = run_until_error(&mut fit, 5);
    let Some(ConvlabError::Diverged {
        epoch,
        batch,
        message,
    }) = error.clone()
    else {
        panic!("{optimizer} at lr 10 should diverge within 5 batches, got {error:?}");
    };
    assert_eq!(epoch, 1);
    assert!(batch <= 3, "stopped at batch {batch}");
    assert!(
        message.contains("lower the learning rate (now 10;"),
        "{message}"
    );
    assert!(fit.is_finished());
    assert_eq!(
        fit.history().batches.len(),
        batch - 1,
        "the good batches stay in the history"
    );
    assert_eq!(
        fit.model().weights_flat(),
        before,
        "the weights from before the bad batch are back"
    );
    let mut model = fit.into_parts().0;
    let images = {
        let mut images = convlab::Tensor::zeros(ndarray::IxDyn(&[0]));
        mnist().test.fill_images(&[0, 1, 2, 3], &mut images);
        images
    };
    let predictions = model.predict(&images, 4);
    assert!(predictions.iter().all(|p| p.is_finite()));
}

#[test]
fn sgd_at_learning_rate_10_stops_within_a_few_batches() {
    assert_stops_within_a_few_batches("sgd");
}

#[test]
fn adam_at_learning_rate_10_stops_within_a_few_batches() {
    assert_stops_within_a_few_batches("adam");
}

#[test]
fn healthy_settings_are_never_stopped() {
    for (spec, optimizer, learning_rate) in [
        (lesson_cnn(), "adam", 0.001),
        (lesson_cnn(), "sgd", 0.01),
        (lesson_mlp(), "rmsprop", 0.001),
    ] {
        let mut fit = fit(&spec, optimizer, learning_rate);
        let (error, _) = run_until_error(&mut fit, 40);
        assert_eq!(error, None, "{optimizer} {learning_rate}");
    }
}

#[test]
fn a_non_finite_loss_stops_the_run_and_restores_the_weights_that_gave_a_finite_one() {
    let mut fit = fit(&lesson_mlp(), "sgd", 0.01);
    let good = fit.model().weights_flat();
    let stats = fit.compute_gradients(0, 1).unwrap();
    fit.apply_gradients(stats).unwrap();
    assert_ne!(fit.model().weights_flat(), good);
    let nan = BatchStats {
        loss_sum: f64::NAN,
        ..fit.compute_gradients(0, 1).unwrap()
    };
    let error = fit.apply_gradients(nan).unwrap_err();
    assert_eq!(error.code(), "training.diverged");
    assert!(
        error
            .to_string()
            .starts_with("Training diverged at epoch 1, batch 2: the loss became NaN"),
        "{error}"
    );
    assert_eq!(
        fit.model().weights_flat(),
        good,
        "back to the weights whose loss was finite"
    );
    assert_eq!(fit.history().batches.len(), 1);
    assert!(fit.step().is_err(), "the run is over");
}

#[test]
fn a_sigmoid_stack_is_told_to_try_relu() {
    let dense = |units: usize, activation: &str| {
        LayerSpec::new("Dense", json!({"units": units, "activation": activation}))
    };
    let spec = ModelSpec::sequential(vec![
        LayerSpec::new("Flatten", json!({"batch_input_shape": [null, 28, 28, 1]})),
        dense(64, "sigmoid"),
        dense(64, "sigmoid"),
        dense(10, "softmax"),
    ]);
    let mut fit = fit(&spec, "sgd", 1000.0);
    let (error, _) = run_until_error(&mut fit, 5);
    let message = error.expect("lr 1000 diverges").to_string();
    assert!(message.contains("activation='relu'"), "{message}");
}
