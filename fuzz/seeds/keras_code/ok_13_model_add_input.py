import tensorflow as tf
model = tf.keras.Sequential(name='mlp_with_input')
model.add(tf.keras.Input(shape=(28, 28, 1)))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(100, activation='sigmoid'))
model.add(tf.keras.layers.Dense(10, activation='softmax'))
