"""Lesson 3: a small CNN.

model.add(Conv3D(8, 3))   <- inside a docstring, so not code
"""
import tensorflow as tf
print(f"TensorFlow {tf.__version__}")
print('it\'s a "CNN"', "#not a comment")
layers = tf.keras.layers
model = tf.keras.Sequential()
model.add(layers.Conv2D(4, 3, input_shape=(28, 28, 1), name='first_conv'))
model.add(layers.Flatten())
model.add(layers.Dense(10, activation='softmax', name='out'))
