import tensorflow as tf
model = tf.keras.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28, 1)),
    tf.keras.layers.Dense(64, activation=None),
    tf.keras.layers.Activation(tf.nn.relu),
    tf.keras.layers.Dense(32, activation=tf.keras.activations.sigmoid, use_bias=False),
    tf.keras.layers.Dense(10),
    tf.keras.layers.Activation('softmax'),
])
