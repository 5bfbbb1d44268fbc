#!/usr/bin/env python3
"""Writes the reference fixtures in tests/fixtures/: what TensorFlow/Keras computes for the layers,
losses, optimizers, regularizers and model summaries that convlab implements.

Deterministic: every case draws its numbers from a numpy generator seeded by the case's name, and
every float32 is stored exactly (the shortest decimal that reads back to the same float32). The
scalar whose gradients are recorded is always L = sum(output * grad_output) for a random
grad_output, so dL/doutput = grad_output.

Run (from anywhere; it writes next to itself):  python3 tools/make_reference_fixtures.py
"""

import os

# Before TensorFlow is imported: CPU only, quiet, no oneDNN reordering of sums, and a wide "terminal"
# so that model.summary() uses Keras's own default line length (88), not the caller's window.
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ["COLUMNS"] = "200"

import json  # noqa: E402
import pathlib  # noqa: E402
import zlib  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

SCRIPT = "tools/make_reference_fixtures.py"
FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"

tf.config.experimental.enable_op_determinism()
keras.utils.set_random_seed(0)


# ---------------------------------------------------------------------------------------------
# Helpers: seeded numbers, exact float32 JSON, gradients of L = sum(output * grad_output)
# ---------------------------------------------------------------------------------------------


def case_rng(name):
    """A numpy generator seeded by the case name, so adding a case never changes another."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def normal(rng, shape, scale=1.0, mean=0.0):
    return (mean + scale * rng.standard_normal(shape)).astype(np.float32)


def uniform(rng, shape, low, high):
    return rng.uniform(low, high, shape).astype(np.float32)


def exact(value):
    """A float32 (or array of them) as nested lists of Python floats that print as the shortest
    decimal reading back to the same float32."""
    array = np.asarray(value, dtype=np.float32)
    if array.ndim == 0:
        return float(str(array[()]))
    return [exact(item) for item in array]


def plain(value):
    """A config value (numpy scalars, tuples) as plain JSON values."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def gradients_of_weighted_sum(call, x, variables, grad_output):
    """Runs y = call(x) under a tape and returns (y, dL/dx, [dL/dv]) for L = sum(y * grad_output)."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = call(x)
        loss = tf.reduce_sum(y * grad_output)
    grads = tape.gradient(loss, [x] + list(variables))
    return y.numpy(), grads[0].numpy(), [g.numpy() for g in grads[1:]]


def output_shape(call, x):
    return tuple(call(tf.constant(x)).shape)


def generated_by():
    return {
        "script": SCRIPT,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def is_numeric_array(value):
    return isinstance(value, list) and all(
        isinstance(item, (int, float)) or is_numeric_array(item) for item in value
    )


def to_json(value, indent=0):
    """JSON with objects one key per line and numeric arrays kept on one line."""
    pad = " " * indent
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(key)}: {to_json(item, indent + 2)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and not is_numeric_array(value):
        items = [inner + to_json(item, indent + 2) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write_fixture(file_name, description, cases):
    fixture = {"generated_by": generated_by(), "description": description, "cases": cases}
    path = FIXTURES / file_name
    path.write_text(to_json(fixture) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(FIXTURES.parent.parent)} ({len(cases)} cases)")


# ---------------------------------------------------------------------------------------------
# 1. Conv2D
# ---------------------------------------------------------------------------------------------

CONV2D_CASES = [
    # name, input shape [b, h, w, c], Keras config
    ("valid_stride_1_relu", [1, 5, 5, 1],
     dict(filters=2, kernel_size=[3, 3], strides=[1, 1], padding="valid", activation="relu")),
    ("same_stride_1_3x3_on_5x5", [1, 5, 5, 1],
     dict(filters=2, kernel_size=[3, 3], strides=[1, 1], padding="same", activation="linear")),
    ("same_stride_2_even_input_6x6", [1, 6, 6, 1],
     dict(filters=2, kernel_size=[3, 3], strides=[2, 2], padding="same", activation="linear")),
    ("same_stride_2_odd_input_7x7", [1, 7, 7, 1],
     dict(filters=2, kernel_size=[3, 3], strides=[2, 2], padding="same", activation="linear")),
    ("same_stride_2_even_kernel_4x4_on_7x7", [1, 7, 7, 1],
     dict(filters=2, kernel_size=[4, 4], strides=[2, 2], padding="same", activation="linear")),
    ("valid_stride_2_inexact_8x8_k3", [1, 8, 8, 1],
     dict(filters=2, kernel_size=[3, 3], strides=[2, 2], padding="valid", activation="linear")),
    ("kernel_5x3_strides_2_1_valid", [1, 9, 7, 1],
     dict(filters=2, kernel_size=[5, 3], strides=[2, 1], padding="valid", activation="linear")),
    ("kernel_5x3_strides_2_1_same", [1, 8, 6, 1],
     dict(filters=2, kernel_size=[5, 3], strides=[2, 1], padding="same", activation="relu")),
    ("two_input_channels_three_filters", [1, 5, 5, 2],
     dict(filters=3, kernel_size=[3, 3], strides=[1, 1], padding="valid", activation="linear")),
    ("batch_2_same_relu", [2, 6, 6, 2],
     dict(filters=3, kernel_size=[3, 3], strides=[1, 1], padding="same", activation="relu")),
    ("no_bias", [1, 5, 5, 2],
     dict(filters=2, kernel_size=[3, 3], strides=[1, 1], padding="valid", activation="linear",
          use_bias=False)),
]


def conv2d_cases():
    cases = []
    for name, input_shape, config in CONV2D_CASES:
        config = {"use_bias": True, **config}
        rng = case_rng(name)
        layer = layers.Conv2D(**config)
        layer.build(tuple(input_shape))
        kh, kw = config["kernel_size"]
        kernel = uniform(rng, [kh, kw, input_shape[3], config["filters"]], -0.5, 0.5)
        bias = normal(rng, [config["filters"]], 0.1) if config["use_bias"] else None
        layer.set_weights([kernel, bias] if config["use_bias"] else [kernel])
        x = normal(rng, input_shape)
        grad_output = normal(rng, output_shape(layer, x))
        y, grad_input, param_grads = gradients_of_weighted_sum(
            layer, x, layer.trainable_weights, grad_output)
        cases.append({
            "name": name,
            "config": config,
            "input": exact(x),
            "kernel": exact(kernel),
            "bias": None if bias is None else exact(bias),
            "output": exact(y),
            "grad_output": exact(grad_output),
            "grad_input": exact(grad_input),
            "grad_kernel": exact(param_grads[0]),
            "grad_bias": exact(param_grads[1]) if config["use_bias"] else None,
        })
    return cases


# ---------------------------------------------------------------------------------------------
# 2. Pooling
# ---------------------------------------------------------------------------------------------

POOLING_CASES = [
    # name suffix, input shape, Keras config (strides None = pool_size, the Keras default)
    ("valid_2x2", [2, 4, 4, 2], dict(pool_size=[2, 2], strides=None, padding="valid")),
    ("valid_2x2_odd_input_5x5_drops_the_last_row", [1, 5, 5, 1],
     dict(pool_size=[2, 2], strides=None, padding="valid")),
    ("same_2x2_odd_input_5x5", [1, 5, 5, 2], dict(pool_size=[2, 2], strides=None, padding="same")),
    ("pool_3_stride_2_valid_7x7", [1, 7, 7, 1], dict(pool_size=[3, 3], strides=[2, 2], padding="valid")),
    ("pool_3_stride_2_valid_inexact_8x8", [1, 8, 8, 1],
     dict(pool_size=[3, 3], strides=[2, 2], padding="valid")),
    ("pool_3_stride_2_same_6x6", [1, 6, 6, 1], dict(pool_size=[3, 3], strides=[2, 2], padding="same")),
    ("pool_3_stride_2_same_7x7", [1, 7, 7, 1], dict(pool_size=[3, 3], strides=[2, 2], padding="same")),
    ("strides_1_overlapping_valid", [1, 4, 5, 2], dict(pool_size=[2, 2], strides=[1, 1], padding="valid")),
    ("strides_1_overlapping_same", [1, 4, 5, 1], dict(pool_size=[2, 2], strides=[1, 1], padding="same")),
]

POOLING_CLASSES = {
    "MaxPooling2D": ("max", layers.MaxPooling2D),
    "AveragePooling2D": ("average", layers.AveragePooling2D),
}


def pooling_case(name, class_name, config, layer, x, rng):
    grad_output = normal(rng, output_shape(layer, x))
    y, grad_input, _ = gradients_of_weighted_sum(layer, x, [], grad_output)
    return {
        "name": name,
        "class_name": class_name,
        "config": config,
        "input": exact(x),
        "output": exact(y),
        "grad_output": exact(grad_output),
        "grad_input": exact(grad_input),
    }


def pooling_cases():
    cases = []
    for class_name, (prefix, layer_class) in POOLING_CLASSES.items():
        for suffix, input_shape, config in POOLING_CASES:
            name = f"{prefix}_{suffix}"
            rng = case_rng(name)
            x = normal(rng, input_shape)
            cases.append(pooling_case(name, class_name, config, layer_class(**config), x, rng))
    for name, input_shape in [("global_average_3x4", [2, 3, 4, 3]), ("global_average_1x1", [2, 1, 1, 2])]:
        rng = case_rng(name)
        x = normal(rng, input_shape)
        cases.append(pooling_case(name, "GlobalAveragePooling2D", {},
                                  layers.GlobalAveragePooling2D(), x, rng))
    return cases


# ---------------------------------------------------------------------------------------------
# 3. Dense
# ---------------------------------------------------------------------------------------------

DENSE_CASES = [
    ("relu", dict(units=5, activation="relu")),
    ("sigmoid", dict(units=5, activation="sigmoid")),
    ("tanh", dict(units=5, activation="tanh")),
    ("softmax", dict(units=5, activation="softmax")),
    ("linear", dict(units=5, activation="linear")),
    ("linear_no_bias", dict(units=3, activation="linear", use_bias=False)),
]


def dense_cases():
    cases = []
    for name, config in DENSE_CASES:
        config = {"use_bias": True, **config}
        rng = case_rng(f"dense_{name}")
        inputs = 4
        layer = layers.Dense(**config)
        layer.build((None, inputs))
        kernel = uniform(rng, [inputs, config["units"]], -1.0, 1.0)
        bias = normal(rng, [config["units"]], 0.3) if config["use_bias"] else None
        layer.set_weights([kernel, bias] if config["use_bias"] else [kernel])
        x = normal(rng, [3, inputs])
        grad_output = normal(rng, output_shape(layer, x))
        y, grad_input, param_grads = gradients_of_weighted_sum(
            layer, x, layer.trainable_weights, grad_output)
        cases.append({
            "name": name,
            "config": config,
            "input": exact(x),
            "kernel": exact(kernel),
            "bias": None if bias is None else exact(bias),
            "output": exact(y),
            "grad_output": exact(grad_output),
            "grad_input": exact(grad_input),
            "grad_kernel": exact(param_grads[0]),
            "grad_bias": exact(param_grads[1]) if config["use_bias"] else None,
        })
    return cases


# ---------------------------------------------------------------------------------------------
# 4. BatchNormalization
# ---------------------------------------------------------------------------------------------

BATCH_NORMALIZATION_CASES = [
    ("image_4x3x3x2_defaults", [4, 3, 3, 2], dict(momentum=0.99, epsilon=0.001, center=True, scale=True)),
    ("flat_5x3_defaults", [5, 3], dict(momentum=0.99, epsilon=0.001, center=True, scale=True)),
    ("flat_5x3_momentum_0_9_epsilon_0_01", [5, 3],
     dict(momentum=0.9, epsilon=0.01, center=True, scale=True)),
]


def batch_normalization_cases():
    cases = []
    for name, input_shape, config in BATCH_NORMALIZATION_CASES:
        rng = case_rng(name)
        channels = input_shape[-1]
        gamma = uniform(rng, [channels], 0.5, 1.5)
        beta = normal(rng, [channels], 0.5)
        moving_mean = normal(rng, [channels], 0.5)
        moving_variance = uniform(rng, [channels], 0.5, 2.0)
        x = normal(rng, input_shape, scale=1.5, mean=0.7)

        def built_layer():
            layer = layers.BatchNormalization(**config)
            layer.build(tuple([None] + input_shape[1:]))
            layer.set_weights([gamma, beta, moving_mean, moving_variance])
            return layer

        train_layer = built_layer()
        grad_output = normal(rng, input_shape)
        y, grad_input, (grad_gamma, grad_beta) = gradients_of_weighted_sum(
            lambda t: train_layer(t, training=True), x, [train_layer.gamma, train_layer.beta], grad_output)
        infer_layer = built_layer()
        infer_output = infer_layer(tf.constant(x), training=False).numpy()
        cases.append({
            "name": name,
            "config": config,
            "input": exact(x),
            "gamma": exact(gamma),
            "beta": exact(beta),
            "moving_mean": exact(moving_mean),
            "moving_variance": exact(moving_variance),
            "grad_output": exact(grad_output),
            "train_output": exact(y),
            "train_moving_mean": exact(train_layer.moving_mean.numpy()),
            "train_moving_variance": exact(train_layer.moving_variance.numpy()),
            "train_grad_input": exact(grad_input),
            "train_grad_gamma": exact(grad_gamma),
            "train_grad_beta": exact(grad_beta),
            "infer_output": exact(infer_output),
        })
    return cases


# ---------------------------------------------------------------------------------------------
# 5. Losses
# ---------------------------------------------------------------------------------------------


def loss_inputs():
    """Probabilities (batch 4 x 5 classes) with two near-zero rows, their logits, and targets."""
    rng = case_rng("losses")
    logits = normal(rng, [4, 5], 2.0)
    logits[3] = [-20.0, 4.0, 30.0, -5.0, 0.5]  # extreme logits: stability of from_logits
    probabilities = tf.nn.softmax(logits).numpy()
    labels = np.array([1, 3, 0, 2])
    # Row 2: the true class has probability 1e-9, below Keras's clip at epsilon = 1e-7.
    probabilities[2] = [1e-9, 0.4, 0.3, 0.2, 0.1 - 1e-9]
    # Row 3: a wrong class has probability 1e-9 (clipped, but multiplied by a zero target).
    probabilities[3] = [1e-9, 0.1, 0.7, 0.15, 0.05 - 1e-9]
    return logits, probabilities.astype(np.float32), labels


def loss_value_and_gradient(loss, targets, predictions):
    predictions = tf.constant(predictions)
    with tf.GradientTape() as tape:
        tape.watch(predictions)
        value = loss(targets, predictions)
    return float(value.numpy()), tape.gradient(value, predictions).numpy()


def loss_cases():
    logits, probabilities, labels = loss_inputs()
    one_hot = np.eye(5, dtype=np.float32)[labels]
    cases = []
    for class_name, targets in [
        ("CategoricalCrossentropy", one_hot),
        ("SparseCategoricalCrossentropy", labels),
    ]:
        loss_class = getattr(keras.losses, class_name)
        value, grad = loss_value_and_gradient(loss_class(), targets, probabilities)
        cases.append({
            "name": f"{class_name}_from_probabilities",
            "class_name": class_name,
            "from_logits": False,
            "predictions": exact(probabilities),
            "targets": exact(targets),
            "value": exact(value),
            "grad": exact(grad),
        })
        value, grad = loss_value_and_gradient(loss_class(from_logits=True), targets, logits)
        cases.append({
            "name": f"{class_name}_from_logits",
            "class_name": class_name,
            "from_logits": True,
            "logits": exact(logits),
            "probabilities": exact(tf.nn.softmax(logits).numpy()),
            "targets": exact(targets),
            "value": exact(value),
            "grad": exact(grad),
        })
    softmax_outputs = tf.nn.softmax(logits).numpy()
    value, grad = loss_value_and_gradient(keras.losses.MeanSquaredError(), one_hot, softmax_outputs)
    cases.append({
        "name": "MeanSquaredError",
        "class_name": "MeanSquaredError",
        "from_logits": False,
        "predictions": exact(softmax_outputs),
        "targets": exact(one_hot),
        "value": exact(value),
        "grad": exact(grad),
    })
    return cases


# ---------------------------------------------------------------------------------------------
# 6. Optimizers
# ---------------------------------------------------------------------------------------------

OPTIMIZER_CASES = [
    ("sgd", "SGD", dict(learning_rate=0.1)),
    ("sgd_momentum_0_9", "SGD", dict(learning_rate=0.1, momentum=0.9)),
    ("sgd_nesterov", "SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)),
    ("rmsprop", "RMSprop", dict()),
    ("rmsprop_momentum_0_5", "RMSprop", dict(momentum=0.5)),
    ("rmsprop_centered", "RMSprop", dict(centered=True)),
    ("adagrad", "Adagrad", dict()),
    ("adam", "Adam", dict()),
    ("adam_learning_rate_0_01", "Adam", dict(learning_rate=0.01)),
    # Gradients ~1e-7 make sqrt(v) smaller than epsilon = 1e-7, so the update depends on where
    # epsilon enters the formula (Keras: after the square root, not bias-corrected).
    ("adam_tiny_gradients", "Adam", dict(learning_rate=0.01)),
]


def optimizer_cases():
    cases = []
    for name, class_name, arguments in OPTIMIZER_CASES:
        rng = case_rng(name)
        gradient_scale = 1e-7 if name == "adam_tiny_gradients" else 1.0
        weight_scale = 1e-3 if name == "adam_tiny_gradients" else 1.0
        initial = [normal(rng, [3, 2], weight_scale), normal(rng, [2], weight_scale)]
        gradients = [[normal(rng, [3, 2], gradient_scale), normal(rng, [2], gradient_scale)]
                     for _ in range(3)]
        keras.backend.clear_session()  # config "name" is the class's own ("adam"), not "adam_2"
        optimizer = getattr(keras.optimizers, class_name)(**arguments)
        variables = [keras.Variable(value, dtype="float32") for value in initial]
        weights_after_step = []
        for step in gradients:
            optimizer.apply_gradients(zip([tf.constant(g) for g in step], variables))
            weights_after_step.append([exact(v.numpy()) for v in variables])
        cases.append({
            "name": name,
            "class_name": class_name,
            "config": plain(optimizer.get_config()),
            "initial": [exact(value) for value in initial],
            "gradients": [[exact(g) for g in step] for step in gradients],
            "weights_after_step": weights_after_step,
        })
    return cases


# ---------------------------------------------------------------------------------------------
# 7. Regularizers
# ---------------------------------------------------------------------------------------------


def regularizer_cases():
    name = "dense_l1l2_0_01_0_02"
    rng = case_rng(name)
    regularizer = keras.regularizers.L1L2(l1=0.01, l2=0.02)
    model = keras.Sequential([
        keras.Input((5,)),
        layers.Dense(3, kernel_regularizer=regularizer),
    ])
    dense = model.layers[0]
    kernel = normal(rng, [5, 3])
    kernel[2, 1] = 0.0  # TF's L1 gradient at exactly zero is sign(0) = 0
    bias = normal(rng, [3], 0.1)
    dense.set_weights([kernel, bias])
    x = normal(rng, [4, 5])
    grad_output = normal(rng, [4, 3])
    with tf.GradientTape(persistent=True) as tape:
        y = model(tf.constant(x))
        data_term = tf.reduce_sum(y * grad_output)
        penalty = tf.add_n(model.losses)
        total = data_term + penalty
    grad_kernel_data = tape.gradient(data_term, dense.kernel).numpy()
    grad_kernel_total = tape.gradient(total, dense.kernel).numpy()
    return [{
        "name": name,
        "config": {
            "units": 3,
            "kernel_regularizer": {"class_name": "L1L2", "config": plain(regularizer.get_config())},
        },
        "input": exact(x),
        "kernel": exact(kernel),
        "bias": exact(bias),
        "grad_output": exact(grad_output),
        "penalty": exact(float(penalty.numpy())),
        "grad_kernel_data": exact(grad_kernel_data),
        "grad_kernel_total": exact(grad_kernel_total),
    }]


# ---------------------------------------------------------------------------------------------
# 8. model.summary()
# ---------------------------------------------------------------------------------------------

SUMMARY_MODELS = [
    # name, Keras layers (after Input(28, 28, 1)), the same as a convlab/Keras spec
    ("lesson_cnn", lambda: [
        layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ], [
        {"class_name": "Conv2D", "config": {"filters": 32, "kernel_size": [3, 3], "padding": "same",
                                            "activation": "relu"}},
        {"class_name": "MaxPooling2D", "config": {"pool_size": [2, 2]}},
        {"class_name": "Conv2D", "config": {"filters": 64, "kernel_size": [3, 3], "activation": "relu"}},
        {"class_name": "MaxPooling2D", "config": {"pool_size": [2, 2]}},
        {"class_name": "Flatten", "config": {}},
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}},
    ]),
    ("lesson_mlp", lambda: [
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], [
        {"class_name": "Flatten", "config": {}},
        {"class_name": "Dense", "config": {"units": 512, "activation": "relu"}},
        {"class_name": "Dense", "config": {"units": 512, "activation": "relu"}},
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}},
    ]),
    ("batch_norm_dropout_average_pooling", lambda: [
        layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.AveragePooling2D(2),
        layers.Dropout(0.25),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.BatchNormalization(),
        layers.GlobalAveragePooling2D(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], [
        {"class_name": "Conv2D", "config": {"filters": 16, "kernel_size": [3, 3], "padding": "same",
                                            "activation": "relu"}},
        {"class_name": "BatchNormalization", "config": {}},
        {"class_name": "AveragePooling2D", "config": {"pool_size": [2, 2]}},
        {"class_name": "Dropout", "config": {"rate": 0.25}},
        {"class_name": "Conv2D", "config": {"filters": 32, "kernel_size": [3, 3], "activation": "relu"}},
        {"class_name": "BatchNormalization", "config": {}},
        {"class_name": "GlobalAveragePooling2D", "config": {}},
        {"class_name": "Dropout", "config": {"rate": 0.5}},
        {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}},
    ]),
]


def count(weights):
    return int(sum(np.prod(w.shape) for w in weights))


def summary_cases():
    cases = []
    for name, keras_layers, spec in SUMMARY_MODELS:
        keras.backend.clear_session()  # layer names restart at conv2d, dense, ... as in a fresh notebook
        model = keras.Sequential([keras.Input((28, 28, 1))] + keras_layers())
        captured = []
        model.summary(print_fn=captured.append)
        cases.append({
            "name": name,
            "input_shape": [28, 28, 1],
            "layers_spec": spec,
            "model_name": model.name,
            "line_length": 88,
            "summary_text": "".join(captured),
            "layers": [{
                "name": layer.name,
                "class_name": type(layer).__name__,
                "output_shape": list(layer.output.shape),
                "params": layer.count_params(),
                "trainable_params": count(layer.trainable_weights),
                "non_trainable_params": count(layer.non_trainable_weights),
            } for layer in model.layers],
            "total_params": model.count_params(),
            "trainable_params": count(model.trainable_weights),
            "non_trainable_params": count(model.non_trainable_weights),
        })
    return cases


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    write_fixture(
        "conv2d.json",
        "keras.layers.Conv2D forward and backward; grads are of L = sum(output * grad_output).",
        conv2d_cases())
    write_fixture(
        "pooling.json",
        "MaxPooling2D, AveragePooling2D (strides null = pool_size) and GlobalAveragePooling2D; "
        "grad_input is of L = sum(output * grad_output).",
        pooling_cases())
    write_fixture(
        "dense.json",
        "keras.layers.Dense forward and backward; grads are of L = sum(output * grad_output).",
        dense_cases())
    write_fixture(
        "batch_normalization.json",
        "keras.layers.BatchNormalization. train_*: one call with training=True starting from the "
        "given gamma, beta, moving_mean, moving_variance (moving stats after that call; grads of "
        "L = sum(train_output * grad_output)). infer_output: training=False with the given weights.",
        batch_normalization_cases())
    write_fixture(
        "losses.json",
        "keras.losses.<class_name>(from_logits=...) with the default reduction (mean over the "
        "batch). value is that scalar; grad is its gradient with respect to predictions (or logits "
        "when from_logits). Sparse targets are class indices.",
        loss_cases())
    write_fixture(
        "optimizers.json",
        "keras.optimizers.<class_name>(**config).apply_gradients for 3 steps on two variables; "
        "weights_after_step[i] holds both variables after step i + 1.",
        optimizer_cases())
    write_fixture(
        "regularizers.json",
        "Dense with kernel_regularizer L1L2: penalty = sum(model.losses); grad_kernel_data is the "
        "gradient of L = sum(output * grad_output), grad_kernel_total that of L + penalty.",
        regularizer_cases())
    write_fixture(
        "summary.json",
        "keras.Sequential([keras.Input((28, 28, 1)), ...]).summary(print_fn=...) with the default "
        "line_length (88, in a terminal at least 92 columns wide) after keras.backend.clear_session(); "
        "output shapes have null for the batch axis.",
        summary_cases())


if __name__ == "__main__":
    main()
