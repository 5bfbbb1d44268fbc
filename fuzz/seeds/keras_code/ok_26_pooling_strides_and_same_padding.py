import tensorflow as tf
i = tf.keras.layers.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(16, (3, 3), strides=2, padding='same', activation='relu')(i)
x = tf.keras.layers.AveragePooling2D(pool_size=3, strides=2, padding='same')(x)
x = tf.keras.layers.MaxPooling2D(pool_size=(2, 2), strides=1)(x)
x = tf.keras.layers.GlobalAveragePooling2D()(x)
x = tf.keras.layers.Dense(10, activation='softmax')(x)
model = tf.keras.Model(inputs=[i], outputs=[x])
