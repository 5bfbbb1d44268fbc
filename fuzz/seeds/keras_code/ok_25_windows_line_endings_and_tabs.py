import tensorflow as tf

def make():
	inp = tf.keras.Input(shape=(28, 28, 1))
	x = tf.keras.layers.Conv2D(8, 3, padding="same")(inp)
	x = tf.keras.layers.BatchNormalization()(x)
	x = tf.keras.layers.Activation("relu")(x)
	x = tf.keras.layers.Flatten()(x)
	out = tf.keras.layers.Dense(10, activation="softmax")(x)
	return tf.keras.Model(inputs=inp, outputs=out)

model = make()
