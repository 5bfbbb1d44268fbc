//! Writes a model and its training settings as a Python script for TensorFlow 2.x `tf.keras`,
//! the way the lesson writes it: MNIST from `tf.keras.datasets`, reshaped to `(-1, 28, 28, 1)`,
//! scaled by `/ 255` and one-hot encoded (integer labels for `sparse_categorical_crossentropy`);
//! the model in the Functional or the Sequential style; `compile`, `fit`, `evaluate`.
//!
//! Layers get the arguments the lesson always writes (filters, kernel size, strides, activation,
//! padding of Conv2D; units and activation of Dense; the pool size) plus every argument that
//! differs from Keras's default, so the script builds the same model (same parameter counts) and
//! trains it with the same settings.
//!
//! Augmentation becomes Keras preprocessing layers (`RandomRotation`, `RandomTranslation`,
//! `RandomZoom` with black fill) mapped over a `tf.data` pipeline. They draw the same kinds of
//! transforms as convlab, not the same pixels. A validation split is then taken by hand (the last
//! fraction, as `validation_split` does), since Keras cannot split a `tf.data` pipeline.

use std::fmt::{Display, LowerExp};

use crate::activation::Activation;
use crate::data::augment::Augmentation;
use crate::initializer::Initializer;
use crate::layers::batch_normalization::BatchNormalizationConfig;
use crate::layers::pooling2d::PoolKind;
use crate::loss::Loss;
use crate::optimizers::{AdagradConfig, AdamConfig, OptimizerConfig, RmsPropConfig, SgdConfig};
use crate::padding::Padding;
use crate::regularizer::Regularizer;
use crate::spec::{keras_default_name, Architecture, LayerKind, LayerPlan};
use crate::training::{EarlyStopping, TrainingConfig};

/// How the exported script builds the model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Style {
    /// `input_Layer = Input(shape=...)`, `x = Layer(...)(x)`, `Model(inputs=..., outputs=x)`.
    #[default]
    Functional,
    /// `model = Sequential()` and one `model.add(...)` per layer, `input_shape=` on the first.
    Sequential,
}

impl Style {
    /// Both styles, in the order the page offers them.
    pub const ALL: [Style; 2] = [Style::Functional, Style::Sequential];

    /// The name the CLI and the page use (`functional`).
    pub fn name(self) -> &'static str {
        match self {
            Style::Functional => "functional",
            Style::Sequential => "sequential",
        }
    }

    /// The style called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Style> {
        Style::ALL.into_iter().find(|style| style.name() == name)
    }
}

/// Which `tf.keras.datasets` set the script loads. Both are 28x28 grey images in 10 classes, read
/// and prepared the same way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KerasDataset {
    /// Handwritten digits (`tf.keras.datasets.mnist`).
    #[default]
    Mnist,
    /// Zalando's clothing images (`tf.keras.datasets.fashion_mnist`).
    FashionMnist,
}

impl KerasDataset {
    /// Both datasets, in the order the page offers them.
    pub const ALL: [KerasDataset; 2] = [KerasDataset::Mnist, KerasDataset::FashionMnist];

    /// The name the page uses (`fashion-mnist`).
    pub fn name(self) -> &'static str {
        match self {
            KerasDataset::Mnist => "mnist",
            KerasDataset::FashionMnist => "fashion-mnist",
        }
    }

    /// The dataset called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<KerasDataset> {
        KerasDataset::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The comment above the loading line.
    fn comment(self) -> &'static str {
        match self {
            KerasDataset::Mnist => "# MNIST: 28x28 grey images of digits, scaled to [0, 1]",
            KerasDataset::FashionMnist => {
                "# Fashion-MNIST: 28x28 grey images of clothing, scaled to [0, 1]"
            }
        }
    }

    /// The module under `tf.keras.datasets`.
    fn module(self) -> &'static str {
        match self {
            KerasDataset::Mnist => "mnist",
            KerasDataset::FashionMnist => "fashion_mnist",
        }
    }
}

/// The datasets' number of classes, for `to_categorical`.
const CLASSES: usize = 10;

/// The whole script for MNIST: imports, data, model, `summary`, `compile`, `fit`, `evaluate`.
pub fn export_keras(
    architecture: &Architecture,
    training: &TrainingConfig,
    style: Style,
) -> String {
    export_keras_for(architecture, training, style, KerasDataset::Mnist)
}

/// The whole script, loading `dataset`.
pub fn export_keras_for(
    architecture: &Architecture,
    training: &TrainingConfig,
    style: Style,
    dataset: KerasDataset,
) -> String {
    let mut lines = vec![
        "# A convlab model and its training settings, for TensorFlow 2.x (tf.keras).".to_string(),
        "import tensorflow as tf".to_string(),
        String::new(),
        format!(
            "tf.keras.utils.set_random_seed({})  # seeds Python, NumPy and TensorFlow; convlab's random draws differ",
            training.seed
        ),
        String::new(),
    ];
    lines.extend(data_lines(
        &architecture.input_shape,
        training.loss,
        dataset,
    ));
    lines.push(String::new());
    lines.push("# The model".to_string());
    lines.extend(model_lines(architecture, style));
    lines.push("model.summary()".to_string());
    lines.push(String::new());
    lines.push(format!(
        "model.compile(loss='{}',\n              optimizer={},\n              metrics=['accuracy'])",
        training.loss.name(),
        optimizer_code(&training.optimizer)
    ));
    lines.extend(fit_lines(training));
    lines.push("model.evaluate(x_test, y_test)".to_string());
    lines.join("\n") + "\n"
}

/// Loading, reshaping, scaling and (for the non-sparse losses) one-hot encoding the images.
fn data_lines(input_shape: &[usize], loss: Loss, dataset: KerasDataset) -> Vec<String> {
    let shape: Vec<String> = input_shape.iter().map(usize::to_string).collect();
    let reshape = format!("reshape(-1, {})", shape.join(", "));
    let mut lines = vec![
        dataset.comment().to_string(),
        format!(
            "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.{}.load_data()",
            dataset.module()
        ),
        format!("x_train = x_train.{reshape}.astype('float32') / 255"),
        format!("x_test = x_test.{reshape}.astype('float32') / 255"),
    ];
    if loss == Loss::SparseCategoricalCrossentropy {
        lines
            .push("# sparse_categorical_crossentropy takes the labels as integers 0-9".to_string());
    } else {
        lines.push("# one-hot labels: 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]".to_string());
        for set in ["train", "test"] {
            lines.push(format!(
                "y_{set} = tf.keras.utils.to_categorical(y_{set}, {CLASSES})"
            ));
        }
    }
    lines
}

/// The model-building lines of `style`, ending with `model` defined.
fn model_lines(architecture: &Architecture, style: Style) -> Vec<String> {
    let input = tuple(&architecture.input_shape);
    let name = (architecture.name != "sequential")
        .then(|| format!("name={}", python_string(&architecture.name)));
    let mut lines = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    match style {
        Style::Functional => {
            lines.push(format!(
                "input_Layer = tf.keras.layers.Input(shape={input})"
            ));
            for (i, layer) in architecture.layers.iter().enumerate() {
                let source = if i == 0 { "input_Layer" } else { "x" };
                let call = layer_call(layer, &taken, None);
                lines.push(format!("x = {call}({source})"));
                taken.push(layer.name.clone());
            }
            let name = name.map_or(String::new(), |name| format!(", {name}"));
            lines.push(format!(
                "model = tf.keras.Model(inputs=input_Layer, outputs=x{name})"
            ));
        }
        Style::Sequential => {
            lines.push(format!(
                "model = tf.keras.Sequential({})",
                name.unwrap_or_default()
            ));
            for (i, layer) in architecture.layers.iter().enumerate() {
                let input_shape = (i == 0).then_some(input.as_str());
                lines.push(format!(
                    "model.add({})",
                    layer_call(layer, &taken, input_shape)
                ));
                taken.push(layer.name.clone());
            }
        }
    }
    lines
}

/// `tf.keras.layers.Conv2D(32, (3, 3), strides=1, activation='relu', padding='same')`; `taken`
/// holds the names of the layers before (to tell a chosen name from Keras's automatic one).
fn layer_call(layer: &LayerPlan, taken: &[String], input_shape: Option<&str>) -> String {
    let mut args: Vec<String> = Vec::new();
    match &layer.kind {
        LayerKind::Conv2D(c) => {
            args.push(c.filters.to_string());
            args.push(pair(c.kernel_size));
            args.push(format!("strides={}", int_or_pair(c.strides)));
            args.push(format!("activation={}", activation(c.activation)));
            args.push(format!("padding={}", padding(c.padding)));
            args.extend(weight_arguments(
                c.use_bias,
                c.kernel_initializer,
                c.bias_initializer,
                c.kernel_regularizer,
            ));
        }
        LayerKind::Pooling2D(c) => {
            args.push(format!("pool_size={}", pair(c.pool_size)));
            if let Some(strides) = c.strides {
                args.push(format!("strides={}", int_or_pair(strides)));
            }
            if c.padding != Padding::Valid {
                args.push(format!("padding={}", padding(c.padding)));
            }
        }
        LayerKind::GlobalAveragePooling2D(_) | LayerKind::Flatten(_) => {}
        LayerKind::Dense(c) => {
            args.push(c.units.to_string());
            args.push(format!("activation={}", activation(c.activation)));
            args.extend(weight_arguments(
                c.use_bias,
                c.kernel_initializer,
                c.bias_initializer,
                c.kernel_regularizer,
            ));
        }
        LayerKind::Dropout(c) => args.push(float(c.rate)),
        LayerKind::BatchNormalization(c) => {
            let keras = BatchNormalizationConfig::default();
            if c.momentum != keras.momentum {
                args.push(format!("momentum={}", float(c.momentum)));
            }
            if c.epsilon != keras.epsilon {
                args.push(format!("epsilon={}", float(c.epsilon)));
            }
            if c.center != keras.center {
                args.push(format!("center={}", boolean(c.center)));
            }
            if c.scale != keras.scale {
                args.push(format!("scale={}", boolean(c.scale)));
            }
        }
        LayerKind::Activation(c) => args.push(activation(c.activation)),
    }
    if layer.name != keras_default_name(layer.class_name(), taken) {
        args.push(format!("name={}", python_string(&layer.name)));
    }
    if !layer.trainable {
        args.push("trainable=False".to_string());
    }
    if let Some(shape) = input_shape {
        args.push(format!("input_shape={shape}"));
    }
    let class_name = match &layer.kind {
        LayerKind::Pooling2D(c) if c.kind == PoolKind::Average => "AveragePooling2D",
        _ => layer.class_name(),
    };
    format!("tf.keras.layers.{class_name}({})", args.join(", "))
}

/// `use_bias`, initializers and the kernel regularizer, where they differ from Keras's defaults.
fn weight_arguments(
    use_bias: bool,
    kernel_initializer: Initializer,
    bias_initializer: Initializer,
    kernel_regularizer: Regularizer,
) -> Vec<String> {
    let mut args = Vec::new();
    if !use_bias {
        args.push("use_bias=False".to_string());
    }
    if kernel_initializer != Initializer::GlorotUniform {
        args.push(format!(
            "kernel_initializer={}",
            initializer(kernel_initializer)
        ));
    }
    if bias_initializer != Initializer::Zeros {
        args.push(format!(
            "bias_initializer={}",
            initializer(bias_initializer)
        ));
    }
    if !kernel_regularizer.is_none() {
        args.push(format!(
            "kernel_regularizer=tf.keras.regularizers.L1L2(l1={}, l2={})",
            float(kernel_regularizer.l1),
            float(kernel_regularizer.l2)
        ));
    }
    args
}

/// An initializer by its Keras name, or as an object when its arguments are not the defaults.
fn initializer(initializer: Initializer) -> String {
    match initializer {
        Initializer::RandomNormal { mean, stddev } if (mean, stddev) != (0.0, 0.05) => format!(
            "tf.keras.initializers.RandomNormal(mean={}, stddev={})",
            float(mean),
            float(stddev)
        ),
        other => python_string(other.name()),
    }
}

/// `tf.keras.optimizers.Adam(learning_rate=0.001)` plus the arguments that differ from Keras's
/// defaults.
fn optimizer_code(optimizer: &OptimizerConfig) -> String {
    let mut args = vec![format!(
        "learning_rate={}",
        float(optimizer.learning_rate())
    )];
    let mut differs = |name: &str, value: f64, default: f64| {
        if value != default {
            args.push(format!("{name}={}", float(value)));
        }
    };
    let mut flags = Vec::new();
    let class_name = match optimizer {
        OptimizerConfig::Sgd(c) => {
            differs("momentum", c.momentum, SgdConfig::default().momentum);
            if c.nesterov {
                flags.push("nesterov=True");
            }
            "SGD"
        }
        OptimizerConfig::RmsProp(c) => {
            let keras = RmsPropConfig::default();
            differs("rho", c.rho, keras.rho);
            differs("momentum", c.momentum, keras.momentum);
            differs("epsilon", c.epsilon, keras.epsilon);
            if c.centered {
                flags.push("centered=True");
            }
            "RMSprop"
        }
        OptimizerConfig::Adagrad(c) => {
            let keras = AdagradConfig::default();
            differs(
                "initial_accumulator_value",
                c.initial_accumulator_value,
                keras.initial_accumulator_value,
            );
            differs("epsilon", c.epsilon, keras.epsilon);
            "Adagrad"
        }
        OptimizerConfig::Adam(c) => {
            let keras = AdamConfig::default();
            differs("beta_1", c.beta_1, keras.beta_1);
            differs("beta_2", c.beta_2, keras.beta_2);
            differs("epsilon", c.epsilon, keras.epsilon);
            if c.amsgrad {
                flags.push("amsgrad=True");
            }
            "Adam"
        }
    };
    args.extend(flags.into_iter().map(String::from));
    format!("tf.keras.optimizers.{class_name}({})", args.join(", "))
}

/// `model.fit(...)`, preceded by the augmentation pipeline when augmentation is on.
fn fit_lines(training: &TrainingConfig) -> Vec<String> {
    let mut lines = Vec::new();
    let mut fit_args = Vec::new();
    if training.augmentation.is_none() {
        fit_args.push("x_train, y_train".to_string());
        fit_args.push(format!("batch_size={}", training.batch_size));
        fit_args.push(format!("epochs={}", training.epochs));
        if training.validation_split > 0.0 {
            fit_args.push(format!(
                "validation_split={}",
                float(training.validation_split)
            ));
        }
        if !training.shuffle {
            fit_args.push("shuffle=False".to_string());
        }
    } else {
        lines.push(String::new());
        lines.extend(augmentation_lines(&training.augmentation));
        if training.validation_split > 0.0 {
            let split = float(training.validation_split);
            lines.push(format!(
                "# Hold out the last {split} of the training images for validation, as validation_split does"
            ));
            lines.push(format!("split = int(len(x_train) * (1 - {split}))"));
            lines.push("x_train, x_val = x_train[:split], x_train[split:]".to_string());
            lines.push("y_train, y_val = y_train[:split], y_train[split:]".to_string());
        }
        let shuffle = if training.shuffle {
            "\n              .shuffle(len(x_train))"
        } else {
            ""
        };
        lines.push(format!(
            "train_data = (tf.data.Dataset.from_tensor_slices((x_train, y_train)){shuffle}\n              .batch({})\n              .map(lambda images, labels: (augment(images, training=True), labels))\n              .prefetch(tf.data.AUTOTUNE))",
            training.batch_size
        ));
        fit_args.push("train_data".to_string());
        fit_args.push(format!("epochs={}", training.epochs));
        if training.validation_split > 0.0 {
            fit_args.push("validation_data=(x_val, y_val)".to_string());
        }
    }
    if let Some(early_stopping) = &training.early_stopping {
        fit_args.push(format!(
            "callbacks=[{}]",
            early_stopping_code(early_stopping)
        ));
    }
    lines.push(format!("model.fit({})", fit_args.join(", ")));
    lines
}

/// The Keras preprocessing layers that draw the same kinds of transforms as convlab's
/// augmentation, with black fill as in convlab.
fn augmentation_lines(augmentation: &Augmentation) -> Vec<String> {
    let mut layers = Vec::new();
    if augmentation.rotation_range > 0.0 {
        layers.push(format!(
            "RandomRotation({} / 360, fill_mode='constant')",
            float(augmentation.rotation_range)
        ));
    }
    if augmentation.height_shift_range > 0.0 || augmentation.width_shift_range > 0.0 {
        layers.push(format!(
            "RandomTranslation({}, {}, fill_mode='constant')",
            float(augmentation.height_shift_range),
            float(augmentation.width_shift_range)
        ));
    }
    if augmentation.zoom_range > 0.0 {
        layers.push(format!(
            "RandomZoom({}, fill_mode='constant')",
            float(augmentation.zoom_range)
        ));
    }
    let mut lines = vec![
        "# Augmentation: every training batch is randomly rotated (degrees / 360 of a turn),"
            .to_string(),
        "# shifted and zoomed, like convlab's augmentation (the random draws differ)".to_string(),
        "augment = tf.keras.Sequential([".to_string(),
    ];
    lines.extend(layers.iter().map(|l| format!("    tf.keras.layers.{l},")));
    lines.push("])".to_string());
    lines
}

/// `tf.keras.callbacks.EarlyStopping(monitor='val_loss', ...)` with the non-default arguments.
fn early_stopping_code(early_stopping: &EarlyStopping) -> String {
    let keras = EarlyStopping::default();
    let mut args = vec![format!(
        "monitor={}",
        python_string(&early_stopping.monitor)
    )];
    if early_stopping.min_delta != keras.min_delta {
        args.push(format!("min_delta={}", float(early_stopping.min_delta)));
    }
    if early_stopping.patience != keras.patience {
        args.push(format!("patience={}", early_stopping.patience));
    }
    if early_stopping.restore_best_weights {
        args.push("restore_best_weights=True".to_string());
    }
    format!("tf.keras.callbacks.EarlyStopping({})", args.join(", "))
}

/// A float as Python reads it back to the same value: the shortest decimal, in exponent form
/// below 0.0001 as Python prints it (`1e-7`), always with a `.` or an exponent (`1.0`, not `1`).
fn float<T: Display + LowerExp>(value: T) -> String {
    let text = value.to_string();
    if text.trim_start_matches('-').starts_with("0.0000") {
        format!("{value:e}")
    } else if text.contains(['.', 'e']) {
        text
    } else {
        text + ".0"
    }
}

fn boolean(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// A Python string literal in single quotes.
fn python_string(text: &str) -> String {
    let mut literal = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => literal.push_str("\\\\"),
            '\'' => literal.push_str("\\'"),
            '\n' => literal.push_str("\\n"),
            '\r' => literal.push_str("\\r"),
            '\t' => literal.push_str("\\t"),
            c => literal.push(c),
        }
    }
    literal.push('\'');
    literal
}

fn activation(activation: Activation) -> String {
    python_string(activation.name())
}

fn padding(padding: Padding) -> String {
    python_string(match padding {
        Padding::Valid => "valid",
        Padding::Same => "same",
    })
}

/// `(3, 3)`.
fn pair(values: [usize; 2]) -> String {
    tuple(&values)
}

/// `1` for `(1, 1)`, as the lesson writes strides; `(2, 1)` otherwise.
fn int_or_pair(values: [usize; 2]) -> String {
    if values[0] == values[1] {
        values[0].to_string()
    } else {
        pair(values)
    }
}

/// A Python tuple: `(28, 28, 1)`, `(784,)`.
fn tuple(values: &[usize]) -> String {
    let items: Vec<String> = values.iter().map(usize::to_string).collect();
    match items.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", items.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::lesson_cnn;

    #[test]
    fn floats_read_back_as_the_same_number_in_python_syntax() {
        assert_eq!(float(0.001f32), "0.001");
        assert_eq!(float(1e-7f64), "1e-7");
        assert_eq!(float(0.25f32), "0.25");
        assert_eq!(float(1.0f32), "1.0");
        assert_eq!(float(0.0f64), "0.0");
        assert_eq!(float(0.99f32), "0.99");
        assert_eq!(float(0.0001f32), "0.0001");
        assert_eq!(float(0.00005f32), "5e-5");
    }

    #[test]
    fn tuples_and_strings_in_python_syntax() {
        assert_eq!(tuple(&[784]), "(784,)");
        assert_eq!(tuple(&[28, 28, 1]), "(28, 28, 1)");
        assert_eq!(int_or_pair([2, 1]), "(2, 1)");
        assert_eq!(python_string("it's"), "'it\\'s'");
    }

    #[test]
    fn lesson_cnn_functional_is_written_as_the_lesson_writes_it() {
        let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
        let code = export_keras(&architecture, &TrainingConfig::default(), Style::Functional);
        let model = code
            .split("# The model\n")
            .nth(1)
            .and_then(|rest| rest.split("model.summary()").next())
            .unwrap();
        assert_eq!(
            model,
            "input_Layer = tf.keras.layers.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(32, (3, 3), strides=1, activation='relu', padding='same')(input_Layer)
x = tf.keras.layers.MaxPooling2D(pool_size=(2, 2))(x)
x = tf.keras.layers.Conv2D(64, (3, 3), strides=1, activation='relu', padding='valid')(x)
x = tf.keras.layers.MaxPooling2D(pool_size=(2, 2))(x)
x = tf.keras.layers.Flatten()(x)
x = tf.keras.layers.Dense(10, activation='softmax')(x)
model = tf.keras.Model(inputs=input_Layer, outputs=x)
"
        );
        assert!(code.contains(
            "model.compile(loss='categorical_crossentropy',\n              optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),\n              metrics=['accuracy'])\nmodel.fit(x_train, y_train, batch_size=32, epochs=1)\nmodel.evaluate(x_test, y_test)\n"
        ));
    }

    #[test]
    fn fashion_mnist_is_loaded_from_its_own_keras_module() {
        let architecture = Architecture::from_spec(&lesson_cnn()).unwrap();
        let training = TrainingConfig::default();
        let code = export_keras_for(
            &architecture,
            &training,
            Style::Sequential,
            KerasDataset::FashionMnist,
        );
        assert!(code.contains(
            "# Fashion-MNIST: 28x28 grey images of clothing, scaled to [0, 1]\n(x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()\n"
        ));
        assert_eq!(
            code.replace("fashion_mnist", "mnist").replace(
                KerasDataset::FashionMnist.comment(),
                KerasDataset::Mnist.comment()
            ),
            export_keras(&architecture, &training, Style::Sequential)
        );
        assert_eq!(
            KerasDataset::from_name("fashion-mnist"),
            Some(KerasDataset::FashionMnist)
        );
    }
}
