
model = tf.keras.Sequential([
    tf.keras.layers.AveragePooling2D(7, input_shape=(28, 28, 1)),
    tf.keras.layers.Conv2D(3, 2, padding='same', use_bias=False, kernel_initializer='he_normal'),
    tf.keras.layers.BatchNormalization(momentum=0.9),
    tf.keras.layers.Activation('relu'),
    tf.keras.layers.GlobalAveragePooling2D(),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10, activation='softmax'),
])
