import tensorflow as tf


def build_model(num_classes=10, activation='tanh'):
    model = tf.keras.models.Sequential()
    model.add(tf.keras.layers.Conv2D(6, (5, 5), padding='same', activation=activation, input_shape=(28, 28, 1)))
    model.add(tf.keras.layers.AveragePooling2D((2, 2)))
    model.add(tf.keras.layers.Conv2D(16, (5, 5), activation=activation))
    model.add(tf.keras.layers.AveragePooling2D((2, 2)))
    model.add(tf.keras.layers.Flatten())
    model.add(tf.keras.layers.Dense(120, activation=activation))
    model.add(tf.keras.layers.Dense(84, activation=activation))
    model.add(tf.keras.layers.Dense(num_classes, activation='softmax'))
    return model


if __name__ == '__main__':
    model = build_model()
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
