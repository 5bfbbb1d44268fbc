"""Writes tests/fixtures/training_steps.json: ten Adam steps of the lesson CNN in Keras, from
known initial weights on the first 320 MNIST training images (batches of 32, no shuffling).

convlab's tests load the same initial weights, train the same batches and compare every batch
loss and a sample of the final weights, so the whole training step (forward, loss, backward,
optimizer) is pinned to Keras end to end.

Run: pip install tensorflow-cpu && python3 tools/make_training_fixture.py
"""
import gzip
import json
import os

import numpy as np
import keras
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def idx(name):
    data = gzip.open(os.path.join(ROOT, "www/data/mnist", name)).read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    keras.utils.set_random_seed(42)
    images = idx("train-images-idx3-ubyte.gz")[:320, :, :, None].astype("float32") / 255.0
    labels = keras.utils.to_categorical(idx("train-labels-idx1-ubyte.gz")[:320], 10)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy", metrics=["accuracy"])
    initial = [w.flatten().tolist() for w in model.get_weights()]
    losses = []
    for start in range(0, 320, 32):
        logs = model.train_on_batch(images[start:start + 32], labels[start:start + 32], return_dict=True)
        losses.append(float(logs["loss"]))
    final = model.get_weights()
    sample_every = 97
    fixture = {
        "generated_by": f"tools/make_training_fixture.py with tensorflow {tf.__version__}, keras {keras.__version__}",
        "description": "Lesson CNN, Adam defaults, categorical_crossentropy, first 320 MNIST training images in order, batches of 32",
        "initial_weights": initial,
        "shapes": [list(w.shape) for w in final],
        "batch_losses": losses,
        "final_weights_sample_every": sample_every,
        "final_weights_sample": [w.flatten()[::sample_every].tolist() for w in final],
    }
    path = os.path.join(ROOT, "tests/fixtures/training_steps.json")
    with open(path, "w") as f:
        json.dump(fixture, f)
    print("wrote", path, "losses", [round(l, 5) for l in losses])


if __name__ == "__main__":
    main()
