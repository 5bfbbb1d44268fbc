
import tensorflow as tf
inputs = tf.keras.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(2, (3, 3), strides=4, activation='relu')(inputs)
x = tf.keras.layers.MaxPooling2D(2)(x)
x = tf.keras.layers.Flatten()(x)
outputs = tf.keras.layers.Dense(10, activation='softmax')(x)
model = tf.keras.Model(inputs=inputs, outputs=outputs)
