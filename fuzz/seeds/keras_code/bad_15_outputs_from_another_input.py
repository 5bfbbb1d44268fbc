import tensorflow as tf
a = tf.keras.Input(shape=(28, 28, 1))
b = tf.keras.Input(shape=(28, 28, 1))
x = tf.keras.layers.Flatten()(b)
x = tf.keras.layers.Dense(10)(x)
model = tf.keras.Model(inputs=a, outputs=x)
