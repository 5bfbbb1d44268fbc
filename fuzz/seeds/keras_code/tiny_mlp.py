
model = tf.keras.Sequential()
model.add(tf.keras.Input(shape=(28, 28, 1)))
model.add(tf.keras.layers.AveragePooling2D(pool_size=(4, 4), padding='same'))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(8, activation='tanh', kernel_regularizer=tf.keras.regularizers.l2(0.01), trainable=False))
model.add(tf.keras.layers.Dense(10, activation='softmax'))
