//! Keras code export and import: round trips (export → parse → same architecture) for the
//! presets and a model with every layer type in both styles, a corpus of pasted snippets
//! (`tests/fixtures/keras_snippets/ok_*.py`, whose parameter counts TensorFlow confirmed with
//! `tools/check_keras_export.py`), malformed snippets with their exact positioned errors
//! (`bad_*.py`), and a test that the parser never panics.

use std::path::{Path, PathBuf};

use convlab::data::augment::Augmentation;
use convlab::keras_code::{check_keras, export_keras, parse_keras, Style};
use convlab::loss::Loss;
use convlab::optimizers::OptimizerConfig;
use convlab::presets::{lesson_cnn, lesson_mlp};
use convlab::spec::{Architecture, LayerSpec, ModelSpec};
use convlab::training::{EarlyStopping, TrainingConfig};
use serde_json::json;

fn snippets_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras_snippets")
}

fn snippet(name: &str) -> String {
    std::fs::read_to_string(snippets_dir().join(name)).unwrap()
}

/// A model with every layer class convlab builds, and non-default arguments on most of them.
fn every_layer_model() -> ModelSpec {
    let mut spec = ModelSpec::sequential(vec![
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 8, "kernel_size": [3, 5], "strides": [2, 1], "padding": "same",
                   "use_bias": false, "kernel_initializer": "he_normal",
                   "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0001, "l2": 0.001}},
                   "name": "first_conv", "batch_input_shape": [null, 28, 28, 1]}),
        ),
        LayerSpec::new(
            "BatchNormalization",
            json!({"momentum": 0.9, "epsilon": 0.0001, "center": false}),
        ),
        LayerSpec::new("Activation", json!({"activation": "relu"})),
        LayerSpec::new(
            "MaxPooling2D",
            json!({"pool_size": [3, 3], "strides": [2, 2], "padding": "same"}),
        ),
        LayerSpec::new(
            "Conv2D",
            json!({"filters": 16, "kernel_size": 3, "activation": "tanh", "trainable": false,
                   "bias_initializer": "ones"}),
        ),
        LayerSpec::new("AveragePooling2D", json!({"pool_size": 2})),
        LayerSpec::new("Dropout", json!({"rate": 0.25})),
        LayerSpec::new("GlobalAveragePooling2D", json!({})),
        LayerSpec::new("Flatten", json!({})),
        LayerSpec::new(
            "Dense",
            json!({"units": 32, "activation": "sigmoid",
                   "kernel_initializer": {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.1}}}),
        ),
        LayerSpec::new("Dense", json!({"units": 10, "activation": "softmax"})),
    ]);
    spec.config.name = "every_layer".into();
    spec
}

/// Training settings that touch every part of the exported script.
fn busy_training() -> TrainingConfig {
    TrainingConfig {
        loss: Loss::SparseCategoricalCrossentropy,
        optimizer: OptimizerConfig::from_name("rmsprop")
            .unwrap()
            .with_learning_rate(0.0005),
        epochs: 3,
        batch_size: 64,
        validation_split: 0.1,
        shuffle: false,
        seed: 7,
        augmentation: Augmentation {
            rotation_range: 10.0,
            width_shift_range: 0.1,
            height_shift_range: 0.05,
            zoom_range: 0.1,
        },
        early_stopping: Some(EarlyStopping {
            patience: 2,
            restore_best_weights: true,
            ..EarlyStopping::default()
        }),
    }
}

fn assert_round_trip(spec: &ModelSpec, training: &TrainingConfig) {
    let original = Architecture::from_spec(spec).unwrap();
    for style in Style::ALL {
        let code = export_keras(&original, training, style);
        let parsed = parse_keras(&code).unwrap_or_else(|e| panic!("{e}\n{code}"));
        let read_back = Architecture::from_spec(&parsed).unwrap();
        assert_eq!(read_back, original, "{style:?}\n{code}");
        assert_eq!(check_keras(&code).unwrap(), original);
    }
}

#[test]
fn lesson_cnn_round_trips_in_both_styles() {
    assert_round_trip(&lesson_cnn(), &TrainingConfig::default());
}

#[test]
fn lesson_mlp_round_trips_in_both_styles() {
    assert_round_trip(&lesson_mlp(), &TrainingConfig::default());
}

#[test]
fn a_model_with_every_layer_type_round_trips_in_both_styles() {
    let spec = every_layer_model();
    let classes: Vec<&str> = spec
        .config
        .layers
        .iter()
        .map(|l| l.class_name.as_str())
        .collect();
    for class_name in convlab::spec::LAYER_CLASSES {
        assert!(classes.contains(&class_name), "{class_name} is missing");
    }
    assert_round_trip(&spec, &TrainingConfig::default());
}

#[test]
fn round_trips_with_augmentation_early_stopping_and_other_settings() {
    assert_round_trip(&every_layer_model(), &busy_training());
    assert_round_trip(&lesson_cnn(), &busy_training());
}

#[test]
fn every_layer_model_is_exported_with_its_non_default_arguments() {
    let architecture = Architecture::from_spec(&every_layer_model()).unwrap();
    let code = export_keras(&architecture, &busy_training(), Style::Sequential);
    let expected_model = "model = tf.keras.Sequential(name='every_layer')
model.add(tf.keras.layers.Conv2D(8, (3, 5), strides=(2, 1), activation='linear', padding='same', use_bias=False, kernel_initializer='he_normal', kernel_regularizer=tf.keras.regularizers.L1L2(l1=0.0001, l2=0.001), name='first_conv', input_shape=(28, 28, 1)))
model.add(tf.keras.layers.BatchNormalization(momentum=0.9, epsilon=0.0001, center=False))
model.add(tf.keras.layers.Activation('relu'))
model.add(tf.keras.layers.MaxPooling2D(pool_size=(3, 3), strides=2, padding='same'))
model.add(tf.keras.layers.Conv2D(16, (3, 3), strides=1, activation='tanh', padding='valid', bias_initializer='ones', trainable=False))
model.add(tf.keras.layers.AveragePooling2D(pool_size=(2, 2)))
model.add(tf.keras.layers.Dropout(0.25))
model.add(tf.keras.layers.GlobalAveragePooling2D())
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(32, activation='sigmoid', kernel_initializer=tf.keras.initializers.RandomNormal(mean=0.0, stddev=0.1)))
model.add(tf.keras.layers.Dense(10, activation='softmax'))
";
    assert!(code.contains(expected_model), "{code}");
    let expected_training = "model.compile(loss='sparse_categorical_crossentropy',
              optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.0005),
              metrics=['accuracy'])

# Augmentation: every training batch is randomly rotated (degrees / 360 of a turn),
# shifted and zoomed, like convlab's augmentation (the random draws differ)
augment = tf.keras.Sequential([
    tf.keras.layers.RandomRotation(10.0 / 360, fill_mode='constant'),
    tf.keras.layers.RandomTranslation(0.05, 0.1, fill_mode='constant'),
    tf.keras.layers.RandomZoom(0.1, fill_mode='constant'),
])
# Hold out the last 0.1 of the training images for validation, as validation_split does
split = int(len(x_train) * (1 - 0.1))
x_train, x_val = x_train[:split], x_train[split:]
y_train, y_val = y_train[:split], y_train[split:]
train_data = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
              .batch(64)
              .map(lambda images, labels: (augment(images, training=True), labels))
              .prefetch(tf.data.AUTOTUNE))
model.fit(train_data, epochs=3, validation_data=(x_val, y_val), callbacks=[tf.keras.callbacks.EarlyStopping(monitor='val_loss', patience=2, restore_best_weights=True)])
model.evaluate(x_test, y_test)
";
    assert!(code.ends_with(expected_training), "{code}");
    assert!(code.contains("tf.keras.utils.set_random_seed(7)"));
    assert!(!code.contains("to_categorical"));
}

/// Each `ok_*.py` snippet and the total parameter count of the model it defines, as Keras 3.15
/// counts it (`model.count_params()`, checked by `tools/check_keras_export.py --snippets`).
const OK_SNIPPETS: [(&str, usize); 26] = [
    ("ok_01_lesson_cnn_functional.py", 41_866),
    ("ok_02_lesson_cnn_sequential_add.py", 41_866),
    ("ok_03_lesson_mlp_sequential_list.py", 669_706),
    ("ok_04_no_imports_bare_names.py", 296_746),
    ("ok_05_comments_everywhere.py", 13_610),
    ("ok_06_backslash_continuations.py", 31_530),
    ("ok_07_multiline_brackets_trailing_commas.py", 34_826),
    ("ok_08_keyword_arguments_only.py", 347_146),
    ("ok_09_positional_arguments.py", 41_866),
    ("ok_10_tuples_versus_ints.py", 3_370),
    ("ok_11_aliases.py", 23_946),
    ("ok_12_keras3_input_first.py", 34_826),
    ("ok_13_model_add_input.py", 79_510),
    ("ok_14_functional_named.py", 150_650),
    ("ok_15_functional_layer_objects_positional_model.py", 13_610),
    (
        "ok_16_batchnorm_dropout_regularizers_initializers.py",
        19_818,
    ),
    ("ok_17_variables_for_sizes.py", 1_199_882),
    ("ok_18_semicolons_one_line.py", 25_450),
    ("ok_19_def_build_model.py", 61_706),
    ("ok_20_augmentation_pipeline_and_fit.py", 27_210),
    ("ok_21_activations_and_none.py", 52_618),
    ("ok_22_docstrings_and_strings.py", 27_090),
    ("ok_23_input_layer_keras2.py", 54_170),
    ("ok_24_sequential_build.py", 170),
    ("ok_25_windows_line_endings_and_tabs.py", 62_842),
    ("ok_26_pooling_strides_and_same_padding.py", 330),
];

/// Each `bad_*.py` snippet and the exact error [`check_keras`] gives for it.
const BAD_SNIPPETS: [(&str, &str); 19] = [
    ("bad_01_unknown_layer_with_prefix.py", "line 3, column 21: 'Conv3D' is not a layer convlab knows; use one of Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dense, Dropout, BatchNormalization, Activation"),
    ("bad_02_unknown_bare_layer_in_add.py", "line 3, column 11: 'LSTM' is not a layer convlab knows; use one of Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Dense, Dropout, BatchNormalization, Activation"),
    ("bad_03_missing_comma.py", "line 3, column 20: expected ',' or ')' but found 'activation'"),
    ("bad_04_unclosed_bracket.py", "line 1, column 20: this '[' is never closed"),
    ("bad_05_typographic_quotes.py", "line 2, column 32: '‘' is a typographic quote (from a word processor); use a plain ' or \""),
    ("bad_06_input_shape_int_not_tuple.py", "line 2, column 53: input_shape is a tuple, not a number: write (784,) for a single axis, or (28, 28, 1) for an image"),
    ("bad_07_positional_after_keyword.py", "line 2, column 30: a positional argument cannot follow a keyword argument; write it before the keyword arguments"),
    ("bad_08_too_many_positional.py", "line 3, column 32: Dense takes 2 positional arguments (units, activation); write this one as keyword=value"),
    ("bad_09_layers_added_in_a_loop.py", "line 3, column 26: convlab reads model code statement by statement and does not run 'for' statements; write this line on its own, outside the 'for'"),
    ("bad_10_preprocessing_inside_model.py", "line 3, column 12: 'Rescaling' is a preprocessing layer; convlab feeds images scaled to [0, 1] and sets augmentation in the training settings, so leave it out of the model"),
    ("bad_11_undefined_variable.py", "line 3, column 17: 'num_classes' is not defined in this code; write the value itself"),
    ("bad_12_kernel_larger_than_input.py", "line 5, column 21: Layer 3 'conv2d_1' (Conv2D): kernel_size: 7×7 is larger than the 6×6 input; use a smaller kernel_size, padding='same', or fewer pooling layers before this one"),
    ("bad_13_no_model.py", "line 1, column 1: found no model in this code; define one with model = tf.keras.Sequential([...]), or with layers applied to tf.keras.layers.Input(shape=(28, 28, 1)) and tf.keras.Model(inputs=..., outputs=...)"),
    ("bad_14_unclosed_string.py", "line 2, column 32: this string is not closed on its line; add the closing quote"),
    ("bad_15_outputs_from_another_input.py", "line 6, column 42: these outputs do not come from the Input given as inputs"),
    ("bad_16_unknown_size_in_input.py", "line 1, column 22: shape must list whole sizes ≥ 1 like (28, 28, 1); None (an unknown size) is not supported"),
    ("bad_17_unknown_argument.py", "line 4, column 11: Layer 3 'dense' (Dense): config: unknown argument 'activaton'; Dense takes activation, bias_initializer, kernel_initializer, kernel_regularizer, units, use_bias"),
    ("bad_18_layer_output_in_sequential.py", "line 3, column 21: a Sequential model takes layers, not a layer's output; remove the '(x)' after the layer"),
    ("bad_19_add_without_sequential.py", "line 2, column 1: 'model' is not defined in this code; start with model = tf.keras.Sequential()"),
];

#[test]
fn every_snippet_file_is_listed() {
    let mut files: Vec<String> = std::fs::read_dir(snippets_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut listed: Vec<String> = OK_SNIPPETS
        .iter()
        .map(|(name, _)| name.to_string())
        .chain(BAD_SNIPPETS.iter().map(|(name, _)| name.to_string()))
        .collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[test]
fn pasted_snippets_parse_to_the_parameter_counts_keras_reports() {
    let mut failures = Vec::new();
    for (name, params) in OK_SNIPPETS {
        match check_keras(&snippet(name)) {
            Ok(architecture) if architecture.params().total() == params => {}
            Ok(architecture) => failures.push(format!(
                "{name}: {} params, Keras counts {params}",
                architecture.params().total()
            )),
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn snippets_keep_names_shapes_and_settings_as_written() {
    let named = parse_keras(&snippet("ok_14_functional_named.py")).unwrap();
    assert_eq!(named.config.name, "mnist_cnn");
    let architecture = Architecture::from_spec(&named).unwrap();
    let names: Vec<&str> = architecture
        .layers
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "conv_a",
            "conv_b",
            "max_pooling2d",
            "flatten",
            "dense_1",
            "predictions"
        ]
    );
    let tuples = check_keras(&snippet("ok_10_tuples_versus_ints.py")).unwrap();
    let shapes: Vec<Vec<usize>> = tuples
        .layers
        .iter()
        .map(|l| l.output_shape.clone())
        .collect();
    // (28 − 5)/1 + 1 = 24; (24 − 3)/1 + 1 = 22 high, (24 − 5)/1 + 1 = 20 wide;
    // (22 − 3)/2 + 1 = 10, (20 − 3)/2 + 1 = 9; pooling 2 → 5 × 4.
    assert_eq!(
        shapes,
        vec![
            vec![24, 24, 8],
            vec![22, 20, 8],
            vec![10, 9, 8],
            vec![5, 4, 8],
            vec![160],
            vec![10]
        ]
    );
    let batch_norm = check_keras(&snippet(
        "ok_16_batchnorm_dropout_regularizers_initializers.py",
    ))
    .unwrap();
    // Two BatchNormalization layers: moving mean and variance of 32 and 64 channels.
    assert_eq!(batch_norm.params().non_trainable, 2 * 32 + 2 * 64);
}

#[test]
fn malformed_snippets_give_positioned_errors() {
    let mut failures = Vec::new();
    for (name, expected) in BAD_SNIPPETS {
        match check_keras(&snippet(name)) {
            Err(error) if error.to_string() == expected => {}
            Err(error) => failures.push(format!(
                "{name}:\n  got      {error}\n  expected {expected}"
            )),
            Ok(_) => failures.push(format!("{name}: parsed without an error")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_error_carries_line_and_column() {
    let error = check_keras(&snippet("bad_03_missing_comma.py")).unwrap_err();
    assert_eq!((error.line, error.column), (3, 20));
}

/// A small deterministic generator for the mutations below.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn the_parser_never_panics_on_prefixes_mutations_or_junk() {
    let mut sources: Vec<Vec<u8>> = std::fs::read_dir(snippets_dir())
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    let architecture = Architecture::from_spec(&every_layer_model()).unwrap();
    for style in Style::ALL {
        sources.push(export_keras(&architecture, &busy_training(), style).into_bytes());
    }
    let replacements: &[&[u8]] = &[
        b"(",
        b")",
        b"[",
        b"]",
        b"'",
        b"\"",
        b"\\",
        b"\n",
        b"#",
        b",",
        b"=",
        b"-",
        b"*",
        b".",
        b"0",
        b"x",
        b"\xff",
        b"\xe2\x80\x98",
        b"\"\"\"",
        b"lambda",
        b"for",
        b"",
    ];
    let mut random = Lcg(42);
    let mut checked = 0usize;
    let mut check = |bytes: &[u8]| {
        let _ = check_keras(&String::from_utf8_lossy(bytes));
        checked += 1;
    };
    for source in &sources {
        for end in 0..=source.len() {
            check(&source[..end]);
        }
        for _ in 0..1000 {
            let mut mutated = source.clone();
            for _ in 0..1 + random.below(3) {
                let at = random.below(mutated.len() + 1);
                let replacement = replacements[random.below(replacements.len())];
                let remove = random.below(3).min(mutated.len() - at);
                mutated.splice(at..at + remove, replacement.iter().copied());
            }
            check(&mutated);
        }
    }
    for _ in 0..2000 {
        let junk: Vec<u8> = (0..random.below(200))
            .map(|_| random.below(256) as u8)
            .collect();
        check(&junk);
    }
    for deep in [
        "(".repeat(10_000),
        "-".repeat(10_000) + "1",
        "x = ".to_string() + &"f(".repeat(5_000),
    ] {
        check(deep.as_bytes());
    }
    assert!(checked > 50_000, "{checked}");
}

fn run_convlab(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_convlab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_exports_keras_code_and_summarises_a_keras_file() {
    let exported = run_convlab(&[
        "export",
        "keras",
        "--preset",
        "seed-cnn",
        "--style",
        "sequential",
    ]);
    assert!(exported.status.success());
    let code = String::from_utf8(exported.stdout).unwrap();
    assert!(code.contains("model = tf.keras.Sequential()\nmodel.add(tf.keras.layers.Conv2D(32, (3, 3), strides=1, activation='relu', padding='same', input_shape=(28, 28, 1)))\n"));
    let path = std::env::temp_dir().join(format!("convlab_cli_{}.py", std::process::id()));
    std::fs::write(&path, code).unwrap();
    let summary = run_convlab(&["summary", "--keras", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert!(summary.status.success());
    let text = String::from_utf8(summary.stdout).unwrap();
    assert!(
        text.contains(" Total params: 41,866 (163.54 KB)\n"),
        "{text}"
    );

    let bad = snippets_dir().join("bad_03_missing_comma.py");
    let failed = run_convlab(&["summary", "--keras", bad.to_str().unwrap()]);
    assert!(!failed.status.success());
    assert_eq!(
        String::from_utf8(failed.stderr).unwrap(),
        format!(
            "convlab: {}: line 3, column 20: expected ',' or ')' but found 'activation'\n",
            bad.display()
        )
    );
}

#[test]
fn cli_export_takes_training_flags() {
    let exported = run_convlab(&[
        "export",
        "keras",
        "--preset",
        "seed-mlp",
        "--optimizer",
        "sgd",
        "--learning-rate",
        "0.1",
        "--epochs",
        "5",
        "--batch-size",
        "128",
    ]);
    let code = String::from_utf8(exported.stdout).unwrap();
    assert!(code.contains("optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),"));
    assert!(code.contains("model.fit(x_train, y_train, batch_size=128, epochs=5)\n"));
    let refused = run_convlab(&["export", "keras", "--preset", "seed-mlp", "--epochs", "0"]);
    assert!(!refused.status.success());
}
