//! The `convlab` command line: model summaries, training on MNIST and predictions, natively.
//!
//! `cargo run --release -- summary --preset seed-cnn`
//! `cargo run --release -- train --preset seed-cnn --epochs 2 --batch-size 128 --seed 1 --json`
//! `cargo run --release -- predict --model out/model.json --count 5 --json`
//! `cargo run -- export keras --preset seed-cnn --style sequential`
//! `cargo run -- summary --keras lesson.py`

use std::error::Error;
use std::fmt::Display;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use convlab::data::mnist;
use convlab::keras_code::{check_keras, export_keras, Style};
use convlab::loss::Loss;
use convlab::model::Sequential;
use convlab::optimizers::OptimizerConfig;
use convlab::presets::preset;
use convlab::tfjs;
use convlab::training::{evaluate, Fit, TrainingConfig};
use convlab::ConvlabError;

/// convlab: a Keras-compatible deep-learning engine (the playground's engine, natively).
#[derive(Parser)]
#[command(name = "convlab", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the Keras-style model.summary() of a model.
    Summary(ModelChoice),
    /// Train a model on MNIST and report loss/accuracy per epoch and on the test set.
    Train(TrainArgs),
    /// Print the predicted class probabilities for the first test images.
    Predict(PredictArgs),
    /// Print a model and its training settings in another format.
    #[command(subcommand)]
    Export(ExportFormat),
}

/// Which model: a preset, a TensorFlow.js model.json, or Keras code.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct ModelChoice {
    /// A lesson preset: seed-cnn or seed-mlp.
    #[arg(long)]
    preset: Option<String>,
    /// A TensorFlow.js Layers model.json (weights beside it are loaded when listed).
    #[arg(long)]
    model: Option<PathBuf>,
    /// A Python file with Keras code that defines the model (Sequential or Functional; imports
    /// may be missing).
    #[arg(long)]
    keras: Option<PathBuf>,
}

/// The training settings (`compile` and `fit` arguments), with Keras's defaults.
#[derive(Args)]
struct TrainingArgs {
    /// Passes over the training data.
    #[arg(long, default_value_t = 1)]
    epochs: usize,
    /// Images per gradient step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// adam, sgd, rmsprop or adagrad (Keras defaults).
    #[arg(long, default_value = "adam")]
    optimizer: String,
    /// Learning rate (default: the optimizer's Keras default).
    #[arg(long)]
    learning_rate: Option<f32>,
    /// categorical_crossentropy, sparse_categorical_crossentropy or mse.
    #[arg(long, default_value = "categorical_crossentropy")]
    loss: String,
    /// Seed of every random choice; the same seed gives the same run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fraction of the training images held out for validation.
    #[arg(long, default_value_t = 0.0)]
    validation_split: f32,
}

#[derive(Args)]
struct TrainArgs {
    #[command(flatten)]
    model: ModelChoice,
    #[command(flatten)]
    training: TrainingArgs,
    /// Train on only the first N training images.
    #[arg(long)]
    train_limit: Option<usize>,
    /// Save the trained model (TensorFlow.js format) into this directory.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Folder with the four MNIST .gz files.
    #[arg(long, default_value = "www/data/mnist")]
    data: PathBuf,
    /// One JSON object per epoch, then one with the test results.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct PredictArgs {
    /// A TensorFlow.js Layers model.json with its weights.
    #[arg(long)]
    model: PathBuf,
    /// How many test images, from the first.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// Folder with the four MNIST .gz files.
    #[arg(long, default_value = "www/data/mnist")]
    data: PathBuf,
    /// One JSON object per image.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ExportFormat {
    /// Print runnable TensorFlow 2.x tf.keras code: MNIST loading, the model, compile, fit and
    /// evaluate.
    Keras(ExportKerasArgs),
}

#[derive(Args)]
struct ExportKerasArgs {
    #[command(flatten)]
    model: ModelChoice,
    /// How the code builds the model: functional (Input → layers → Model) or sequential
    /// (Sequential + model.add).
    #[arg(long, default_value = "functional", value_parser = ["functional", "sequential"])]
    style: String,
    /// Training settings as the engine's TrainingConfig JSON (loss, optimizer, epochs,
    /// batch_size, validation_split, shuffle, seed, augmentation, early_stopping); replaces the
    /// training flags.
    #[arg(long)]
    training_json: Option<PathBuf>,
    #[command(flatten)]
    training: TrainingArgs,
}

/// Errors of the CLI: the engine's, and Keras code errors prefixed with their file.
type CliResult<T> = std::result::Result<T, Box<dyn Error>>;

fn load_model(choice: &ModelChoice, seed: u64) -> CliResult<Sequential> {
    match (&choice.preset, &choice.model, &choice.keras) {
        (Some(name), _, _) => Ok(Sequential::from_spec(&preset(name)?, seed)?),
        (None, Some(path), _) => Ok(tfjs::load_path(path, seed)?),
        (None, None, Some(path)) => {
            let in_file = |error: &dyn Display| format!("{}: {error}", path.display());
            let source = std::fs::read_to_string(path).map_err(|e| in_file(&e))?;
            let architecture = check_keras(&source).map_err(|e| in_file(&e))?;
            Ok(Sequential::new(architecture, seed))
        }
        (None, None, None) => unreachable!("clap requires one of --preset, --model and --keras"),
    }
}

impl TrainingArgs {
    /// The checked training config these flags describe.
    fn config(&self) -> convlab::error::Result<TrainingConfig> {
        let loss = Loss::from_name(&self.loss).ok_or_else(|| {
            ConvlabError::setting("loss", format!("'{}' is not a loss; use categorical_crossentropy, sparse_categorical_crossentropy or mse", self.loss))
        })?;
        let mut optimizer = OptimizerConfig::from_name(&self.optimizer).ok_or_else(|| {
            ConvlabError::setting(
                "optimizer",
                format!(
                    "'{}' is not an optimizer; use adam, sgd, rmsprop or adagrad",
                    self.optimizer
                ),
            )
        })?;
        if let Some(learning_rate) = self.learning_rate {
            optimizer = optimizer.with_learning_rate(learning_rate);
        }
        let config = TrainingConfig {
            loss,
            optimizer,
            epochs: self.epochs,
            batch_size: self.batch_size,
            validation_split: self.validation_split,
            seed: self.seed,
            ..TrainingConfig::default()
        };
        config.validate()?;
        Ok(config)
    }
}

fn train(args: &TrainArgs) -> CliResult<()> {
    let model = load_model(&args.model, args.training.seed)?;
    let config = args.training.config()?;
    let data = mnist::load_dir(&args.data)?;
    let train_data = match args.train_limit {
        Some(limit) => data.train.take(limit),
        None => data.train,
    };
    if !args.json {
        print!("{}", model.summary());
    }
    let mut fit = Fit::new(model, train_data, None, config.clone())?;
    let mut epoch_start = Instant::now();
    let mut epoch_images = 0usize;
    let batches = fit.batches_per_epoch();
    while !fit.is_finished() {
        let step = match fit.step() {
            Ok(step) => step,
            // The run is over with the last good weights: report it, then evaluate and save them.
            Err(diverged @ ConvlabError::Diverged { .. }) => {
                if args.json {
                    println!("{}", json!({"diverged": diverged.to_string()}));
                } else {
                    println!("{diverged}");
                }
                break;
            }
            Err(error) => return Err(error.into()),
        };
        epoch_images += step.batch.size;
        let Some(epoch) = step.epoch else { continue };
        let seconds = epoch_start.elapsed().as_secs_f64();
        let images_per_second = epoch_images as f64 / seconds;
        if args.json {
            println!(
                "{}",
                json!({"epoch": epoch.epoch + 1, "loss": epoch.loss, "accuracy": epoch.accuracy,
                       "val_loss": epoch.val_loss, "val_accuracy": epoch.val_accuracy,
                       "seconds": round3(seconds), "images_per_second": round3(images_per_second)})
            );
        } else {
            let validation = match (epoch.val_loss, epoch.val_accuracy) {
                (Some(l), Some(a)) => format!(" - val_loss: {l:.4} - val_accuracy: {a:.4}"),
                _ => String::new(),
            };
            println!(
                "Epoch {}/{} - {batches}/{batches} - {seconds:.1}s ({images_per_second:.0} images/s) - loss: {:.4} - accuracy: {:.4}{validation}",
                epoch.epoch + 1,
                config.epochs,
                epoch.loss,
                epoch.accuracy
            );
        }
        epoch_start = Instant::now();
        epoch_images = 0;
    }
    let (mut model, history) = fit.into_parts();
    if let Some(stopped) = history.stopped_epoch {
        if !args.json {
            println!("Epoch {}: early stopping", stopped + 1);
        }
    }
    let test = evaluate(&mut model, &data.test, config.loss, 256)?;
    if args.json {
        println!(
            "{}",
            json!({"test_loss": test.loss, "test_accuracy": test.accuracy})
        );
    } else {
        println!(
            "test_loss: {:.4} - test_accuracy: {:.4}",
            test.loss, test.accuracy
        );
    }
    if let Some(dir) = &args.save {
        tfjs::save_dir(&model, dir)?;
        if !args.json {
            println!(
                "saved {} and {}",
                dir.join("model.json").display(),
                dir.join(tfjs::WEIGHTS_FILE).display()
            );
        }
    }
    Ok(())
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn predict(args: &PredictArgs) -> CliResult<()> {
    let mut model = tfjs::load_path(&args.model, 0)?;
    let test = mnist::load_dir(&args.data)?.test;
    let count = args.count.min(test.len());
    let indices: Vec<usize> = (0..count).collect();
    let mut images = convlab::Tensor::zeros(ndarray::IxDyn(&[0]));
    test.fill_images(&indices, &mut images);
    let probabilities = model.predict(&images, 256);
    for (index, row) in probabilities.outer_iter().enumerate() {
        let values: Vec<f32> = row.iter().copied().collect();
        if args.json {
            println!(
                "{}",
                json!({"index": index, "label": test.label(index), "probabilities": values})
            );
        } else {
            let predicted =
                values
                    .iter()
                    .enumerate()
                    .fold(0, |best, (i, &p)| if p > values[best] { i } else { best });
            println!(
                "#{index}: label {} predicted {predicted} ({:.1}%)",
                test.label(index),
                values[predicted] * 100.0
            );
        }
    }
    Ok(())
}

fn export_keras_code(args: &ExportKerasArgs) -> CliResult<()> {
    let model = load_model(&args.model, args.training.seed)?;
    let style = Style::from_name(&args.style).unwrap_or_default();
    let config = match &args.training_json {
        Some(path) => {
            let in_file = |error: &dyn Display| format!("{}: {error}", path.display());
            let text = std::fs::read_to_string(path).map_err(|e| in_file(&e))?;
            let config: TrainingConfig = serde_json::from_str(&text).map_err(|e| in_file(&e))?;
            config.validate().map_err(|e| in_file(&e))?;
            config
        }
        None => args.training.config()?,
    };
    print!("{}", export_keras(model.architecture(), &config, style));
    Ok(())
}

fn run(cli: &Cli) -> CliResult<()> {
    match &cli.command {
        Command::Summary(choice) => {
            print!("{}", load_model(choice, 0)?.summary());
            Ok(())
        }
        Command::Train(args) => train(args),
        Command::Predict(args) => predict(args),
        Command::Export(ExportFormat::Keras(args)) => export_keras_code(args),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("convlab: {error}");
            ExitCode::FAILURE
        }
    }
}
