# 합성곱 신경망 (CNN) for MNIST
import tensorflow as tf  # TensorFlow 2.x

inputs = tf.keras.layers.Input(shape=(28, 28, 1))  # 28x28 grey image
# first block
x = tf.keras.layers.Conv2D(
    8,        # filters
    (3, 3),   # kernel size  # a second comment
    # a comment line inside the call: Conv3D(1) does not count here
    activation='relu',
)(inputs)
x = tf.keras.layers.MaxPooling2D((2, 2))(x)  # 28 -> 14
#x = tf.keras.layers.Dropout(0.5)(x)   commented-out layer
x = tf.keras.layers.Flatten()(x)
x = tf.keras.layers.Dense(10, activation='softmax')(x)  # 10 classes
model = tf.keras.Model(inputs=inputs, outputs=x)  # done
