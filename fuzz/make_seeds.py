#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs into fuzz/seeds/<target>/ (committed; rerun after the
fixtures or the file formats change).

Sources: the Keras reference fixtures (tests/fixtures/*.json: the summary models and one-layer
models of the layer fixtures), MNIST and
Fashion-MNIST cut down to a few images (www/data/), and tiny models trained for a few images and
saved by the convlab CLI (TensorFlow.js files and exported Keras code). Needs the CLI built:
`cargo build --bin convlab`.
"""

import gzip
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
CLI = ROOT / "target" / "debug" / "convlab"

# Tiny models the CLI trains on 64 MNIST images and saves: every layer class, small weights files.
TINY_MODELS = {
    "tiny_cnn": """
import tensorflow as tf
inputs = tf.keras.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(2, (3, 3), strides=4, activation='relu')(inputs)
x = tf.keras.layers.MaxPooling2D(2)(x)
x = tf.keras.layers.Flatten()(x)
outputs = tf.keras.layers.Dense(10, activation='softmax')(x)
model = tf.keras.Model(inputs=inputs, outputs=outputs)
""",
    "tiny_batchnorm": """
model = tf.keras.Sequential([
    tf.keras.layers.AveragePooling2D(7, input_shape=(28, 28, 1)),
    tf.keras.layers.Conv2D(3, 2, padding='same', use_bias=False, kernel_initializer='he_normal'),
    tf.keras.layers.BatchNormalization(momentum=0.9),
    tf.keras.layers.Activation('relu'),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10, activation='softmax'),
])
""",
    "tiny_mlp": """
model = tf.keras.Sequential()
model.add(tf.keras.Input(shape=(28, 28, 1)))
model.add(tf.keras.layers.AveragePooling2D(pool_size=(4, 4), padding='same'))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(8, activation='tanh', kernel_regularizer=tf.keras.regularizers.l2(0.01), trainable=False))
model.add(tf.keras.layers.Dense(10, activation='softmax'))
""",
}

LAYER_FIXTURES = {
    "conv2d": "Conv2D",
    "dense": "Dense",
    "batch_normalization": "BatchNormalization",
    "pooling": None,  # each case names its class
}


def write(target, name, data):
    directory = SEEDS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def shape_of(nested):
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        nested = nested[0]
    return shape


def sequential(name, input_shape, layers):
    layers = [dict(layer, config=dict(layer["config"])) for layer in layers]
    layers[0]["config"]["batch_input_shape"] = [None] + list(input_shape)
    return {"class_name": "Sequential", "config": {"name": name, "layers": layers}}


def fixture_specs():
    fixtures = ROOT / "tests" / "fixtures"
    for case in json.loads((fixtures / "summary.json").read_text())["cases"]:
        topology = sequential(case["model_name"], case["input_shape"], case["layers_spec"])
        write("spec_json", f"summary_{case['name']}.json", json.dumps(topology))
        model_json = {"format": "layers-model", "modelTopology": topology}
        write("tfjs_artifacts", f"summary_{case['name']}_no_weights", json.dumps(model_json))
    for fixture, class_name in LAYER_FIXTURES.items():
        for case in json.loads((fixtures / f"{fixture}.json").read_text())["cases"]:
            layer = {"class_name": class_name or case["class_name"], "config": case["config"]}
            topology = sequential("sequential", shape_of(case["input"])[1:], [layer])
            write("spec_json", f"{fixture}_{case['name']}.json", json.dumps(topology))


def idx_files():
    for dataset in ["mnist", "fashion-mnist"]:
        directory = ROOT / "www" / "data" / dataset
        for kind, count, item_bytes in [("images", 2, 28 * 28), ("labels", 16, 1)]:
            path = directory / f"t10k-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz"
            raw = gzip.decompress(path.read_bytes())
            header_len = 16 if kind == "images" else 8
            header = bytearray(raw[:header_len])
            header[4:8] = count.to_bytes(4, "big")
            small = bytes(header) + raw[header_len : header_len + count * item_bytes]
            stem = f"{dataset}_{kind}_{count}"
            write("idx", stem, small)
            write("idx", f"{stem}.gz", gzip.compress(small, mtime=0))
            write("idx", f"{dataset}_{kind}_truncated_gzip", path.read_bytes()[:96])


def cli(*args):
    return subprocess.run([str(CLI), *args], cwd=ROOT, check=True, capture_output=True).stdout


def saved_models():
    for preset in ["seed-cnn", "seed-mlp"]:
        for style in ["functional", "sequential"]:
            code = cli("export", "keras", "--preset", preset, "--style", style)
            write("keras_code", f"export_{preset}_{style}.py", code)
    with tempfile.TemporaryDirectory() as temp:
        for name, code in TINY_MODELS.items():
            source = Path(temp) / f"{name}.py"
            source.write_text(code)
            saved = Path(temp) / name
            cli("train", "--keras", str(source), "--epochs", "1", "--train-limit", "64",
                "--batch-size", "32", "--seed", "1", "--save", str(saved))
            model_json = (saved / "model.json").read_bytes()
            weights = (saved / "group1-shard1of1.bin").read_bytes()
            write("tfjs_artifacts", name, model_json + b"\0" + weights)
            write("spec_json", f"{name}_model.json", model_json)
            write("keras_code", f"{name}.py", code)
            exported = cli("export", "keras", "--model", str(saved / "model.json"))
            write("keras_code", f"{name}_exported.py", exported)


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    fixture_specs()
    idx_files()
    saved_models()
    for target in sorted(SEEDS.iterdir()):
        files = list(target.iterdir())
        print(f"{target.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
