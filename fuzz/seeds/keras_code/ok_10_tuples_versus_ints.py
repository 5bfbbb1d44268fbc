import tensorflow as tf
inp = tf.keras.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv2D(8, kernel_size=5)(inp)               # int: (5, 5)
x = tf.keras.layers.Conv2D(8, kernel_size=(3, 5))(x)            # tuple: 3 high, 5 wide
x = tf.keras.layers.Conv2D(8, (3), strides=(2, 2))(x)           # (3) is the int 3
x = tf.keras.layers.MaxPooling2D(pool_size=(2))(x)
x = tf.keras.layers.Flatten()(x)
out = tf.keras.layers.Dense(10, activation='softmax')(x)
model = tf.keras.Model(inputs=inp, outputs=out)
