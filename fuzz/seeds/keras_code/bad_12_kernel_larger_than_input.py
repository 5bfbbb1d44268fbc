import tensorflow as tf
inp = tf.keras.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(8, 3, activation='relu')(inp)
x = tf.keras.layers.MaxPooling2D(4)(x)
x = tf.keras.layers.Conv2D(16, (7, 7), activation='relu')(x)
x = tf.keras.layers.Flatten()(x)
model = tf.keras.Model(inp, x)
