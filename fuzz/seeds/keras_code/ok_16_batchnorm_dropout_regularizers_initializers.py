import tensorflow as tf
from tensorflow.keras import layers, regularizers, initializers

model = tf.keras.Sequential([
    layers.Conv2D(32, (3, 3), padding='same', use_bias=False,
                  kernel_initializer='he_normal',
                  kernel_regularizer=regularizers.l2(0.001),
                  input_shape=(28, 28, 1)),
    layers.BatchNormalization(momentum=0.9),
    layers.Activation('relu'),
    layers.MaxPooling2D(),
    layers.Conv2D(64, (3, 3), kernel_regularizer=tf.keras.regularizers.L1L2(l1=1e-5, l2=1e-4)),
    layers.BatchNormalization(),
    layers.Activation('relu'),
    layers.GlobalAveragePooling2D(),
    layers.Dropout(0.3),
    layers.Dense(10, activation='softmax',
                 kernel_initializer=initializers.RandomNormal(stddev=0.01)),
])
