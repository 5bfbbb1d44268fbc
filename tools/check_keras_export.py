"""Checks convlab's Keras code against TensorFlow (not run by CI; needs tensorflow).

1. Export: for both presets in both styles, and for a model with every layer type trained with
   augmentation, early stopping, a validation split, sparse labels and RMSprop, it runs
   `convlab export keras`, executes the code with TensorFlow for one epoch on a subset of MNIST,
   and compares `model.count_params()` with the total of `convlab summary`.
2. Import: each `tests/fixtures/keras_snippets/ok_*.py` runs in TensorFlow (with the usual
   imports prepended, `fit`/`evaluate` stubbed out and MNIST replaced by zeros), and the model's
   `count_params()` is compared with `convlab summary --keras` (the counts pinned in
   `tests/keras_code.rs`).

The exported code is edited in one place only: `tf.keras.datasets.mnist.load_data()` becomes a
loader of the first CHECK_TRAIN / CHECK_TEST images (env vars, default 2048 / 512) from the MNIST
files in `www/data/mnist/`, so no download is needed.

    python3 tools/check_keras_export.py            # both parts
    python3 tools/check_keras_export.py --export   # part 1 only
    python3 tools/check_keras_export.py --snippets # part 2 only

convlab runs as `cargo run --quiet --bin convlab --` (a debug build) unless CONVLAB names a
command, e.g. CONVLAB=target/debug/convlab.
"""

import contextlib
import gzip
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "tests" / "fixtures" / "keras_snippets"
MNIST = ROOT / "www" / "data" / "mnist"
CONVLAB = shlex.split(os.environ.get("CONVLAB", "cargo run --quiet --bin convlab --"))
TRAIN = int(os.environ.get("CHECK_TRAIN", "2048"))
TEST = int(os.environ.get("CHECK_TEST", "512"))

# A model with every layer class convlab builds (the one of tests/keras_code.rs).
EVERY_LAYER_MODEL = {
    "modelTopology": {
        "class_name": "Sequential",
        "config": {
            "name": "every_layer",
            "layers": [
                {"class_name": "Conv2D", "config": {
                    "filters": 8, "kernel_size": [3, 5], "strides": [2, 1], "padding": "same",
                    "use_bias": False, "kernel_initializer": "he_normal",
                    "kernel_regularizer": {"class_name": "L1L2", "config": {"l1": 0.0001, "l2": 0.001}},
                    "name": "first_conv", "batch_input_shape": [None, 28, 28, 1]}},
                {"class_name": "BatchNormalization",
                 "config": {"momentum": 0.9, "epsilon": 0.0001, "center": False}},
                {"class_name": "Activation", "config": {"activation": "relu"}},
                {"class_name": "MaxPooling2D",
                 "config": {"pool_size": [3, 3], "strides": [2, 2], "padding": "same"}},
                {"class_name": "Conv2D", "config": {
                    "filters": 16, "kernel_size": 3, "activation": "tanh", "trainable": False,
                    "bias_initializer": "ones"}},
                {"class_name": "AveragePooling2D", "config": {"pool_size": 2}},
                {"class_name": "Dropout", "config": {"rate": 0.25}},
                {"class_name": "GlobalAveragePooling2D", "config": {}},
                {"class_name": "Flatten", "config": {}},
                {"class_name": "Dense", "config": {
                    "units": 32, "activation": "sigmoid",
                    "kernel_initializer": {"class_name": "RandomNormal",
                                           "config": {"mean": 0.0, "stddev": 0.1}}}},
                {"class_name": "Dense", "config": {"units": 10, "activation": "softmax"}},
            ],
        },
    }
}

BUSY_TRAINING = {
    "loss": "sparse_categorical_crossentropy",
    "optimizer": {"class_name": "RMSprop", "config": {"learning_rate": 0.0005}},
    "epochs": 1,
    "batch_size": 64,
    "validation_split": 0.1,
    "shuffle": False,
    "seed": 7,
    "augmentation": {"rotation_range": 10, "width_shift_range": 0.1,
                     "height_shift_range": 0.05, "zoom_range": 0.1},
    "early_stopping": {"monitor": "val_loss", "patience": 2, "restore_best_weights": True},
}

# What a pasted snippet may use without importing it.
SNIPPET_PRELUDE = """
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers, models, regularizers, initializers
from tensorflow.keras.layers import *
from tensorflow.keras.models import Sequential, Model
"""


def convlab(*args):
    result = subprocess.run(CONVLAB + list(args), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"convlab {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def convlab_total(*args):
    text = convlab("summary", *args)
    return int(re.search(r"Total params: ([\d,]+)", text).group(1).replace(",", ""))


def read_idx(name, count):
    import numpy as np

    with gzip.open(MNIST / name, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    return array[:count]


def load_local_mnist():
    """What tf.keras.datasets.mnist.load_data() returns, from the repository's files, cut."""
    return ((read_idx("train-images-idx3-ubyte.gz", TRAIN), read_idx("train-labels-idx1-ubyte.gz", TRAIN)),
            (read_idx("t10k-images-idx3-ubyte.gz", TEST), read_idx("t10k-labels-idx1-ubyte.gz", TEST)))


def run_exported(code):
    """Runs exported code (MNIST swapped for the local subset); returns the model and output."""
    import tensorflow as tf

    call = "tf.keras.datasets.mnist.load_data()"
    if code.count(call) != 1:
        raise RuntimeError("the exported code does not load MNIST exactly once")
    code = code.replace(call, "load_local_mnist()")
    tf.keras.backend.clear_session()
    namespace = {"__name__": "__main__", "load_local_mnist": load_local_mnist}
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "<exported>", "exec"), namespace)
    return namespace["model"], output.getvalue()


def check_export():
    failures = 0
    runs = [(["--preset", preset], style, []) for preset in ("seed-cnn", "seed-mlp")
            for style in ("functional", "sequential")]
    with tempfile.TemporaryDirectory() as tmp:
        model_json = Path(tmp) / "model.json"
        model_json.write_text(json.dumps(EVERY_LAYER_MODEL))
        training_json = Path(tmp) / "training.json"
        training_json.write_text(json.dumps(BUSY_TRAINING))
        for style in ("functional", "sequential"):
            runs.append((["--model", str(model_json)], style, ["--training-json", str(training_json)]))
        for model_args, style, extra in runs:
            label = f"{' '.join(model_args).replace(tmp + '/', '')} --style {style} {' '.join(extra).replace(tmp + '/', '')}".strip()
            expected = convlab_total(*model_args)
            code = convlab("export", "keras", *model_args, "--style", style, *extra)
            model, output = run_exported(code)
            keras_count = model.count_params()
            evaluation = [line for line in output.splitlines() if "accuracy" in line]
            last = re.sub(r"\x1b\[[0-9;]*m|.*\x08", "", evaluation[-1]).strip() if evaluation else "(no output)"
            ok = keras_count == expected
            failures += not ok
            print(f"{'OK  ' if ok else 'FAIL'} export {label}: Keras count_params {keras_count:,}, "
                  f"convlab {expected:,}; evaluate: {last}")
    return failures


def check_snippets():
    import numpy as np
    import tensorflow as tf
    import keras

    zeros = ((np.zeros((64, 28, 28), np.uint8), np.zeros(64, np.uint8)),
             (np.zeros((16, 28, 28), np.uint8), np.zeros(16, np.uint8)))
    for module in (tf.keras.datasets.mnist, keras.datasets.mnist):
        module.load_data = lambda: zeros
    for model_class in {tf.keras.Model, keras.Model}:
        model_class.fit = lambda self, *args, **kwargs: None
        model_class.evaluate = lambda self, *args, **kwargs: None
    failures = 0
    for path in sorted(SNIPPETS.glob("ok_*.py")):
        expected = convlab_total("--keras", str(path))
        tf.keras.backend.clear_session()
        namespace = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(SNIPPET_PRELUDE, "<prelude>", "exec"), namespace)
            exec(compile(path.read_bytes(), str(path), "exec"), namespace)
        keras_count = namespace["model"].count_params()
        ok = keras_count == expected
        failures += not ok
        print(f"{'OK  ' if ok else 'FAIL'} snippet {path.name}: Keras count_params {keras_count:,}, "
              f"convlab {expected:,}")
    return failures


def main():
    parts = set(sys.argv[1:]) or {"--export", "--snippets"}
    import tensorflow as tf
    import keras

    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}; subset {TRAIN} train / {TEST} test images")
    failures = 0
    if "--export" in parts:
        failures += check_export()
    if "--snippets" in parts:
        failures += check_snippets()
    print("all counts match" if failures == 0 else f"{failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
