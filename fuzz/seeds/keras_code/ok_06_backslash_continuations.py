import tensorflow as tf
input_Layer = tf.keras.layers.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(16, (3, 3), strides=1, \
                           activation='relu', padding='same')(input_Layer)
x = \
    tf.keras.layers.MaxPooling2D((2, 2))(x)
x = tf.keras.layers.Flatten()(x)
x = tf.keras.layers.Dense(10, \
    activation='softmax')(x)
model = tf.keras.Model(inputs=input_Layer, \
                       outputs=x)
