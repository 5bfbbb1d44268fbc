import keras
from keras import layers

inputs = keras.Input(shape=(28, 28, 1), name="digits")
x = layers.Conv2D(16, 3, activation="relu", name="conv_a")(inputs)
x = layers.Conv2D(16, 3, activation="relu", name="conv_b")(x)
x = layers.MaxPooling2D(2)(x)
x = layers.Flatten()(x)
x = layers.Dense(64, activation="relu", name="dense_1")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_cnn")
