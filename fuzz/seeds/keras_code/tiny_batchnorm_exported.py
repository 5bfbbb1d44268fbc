# A convlab model and its training settings, for TensorFlow 2.x (tf.keras).
import tensorflow as tf

tf.keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow; convlab's random draws differ

# MNIST: 28x28 grey images of digits, scaled to [0, 1]
(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype('float32') / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype('float32') / 255
# one-hot labels: 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
y_train = tf.keras.utils.to_categorical(y_train, 10)
y_test = tf.keras.utils.to_categorical(y_test, 10)

# The model
input_Layer = tf.keras.layers.Input(shape=(28, 28, 1))
x = tf.keras.layers.AveragePooling2D(pool_size=(7, 7))(input_Layer)
x = tf.keras.layers.Conv2D(3, (2, 2), strides=1, activation='linear', padding='same', use_bias=False, kernel_initializer='he_normal')(x)
x = tf.keras.layers.BatchNormalization(momentum=0.9)(x)
x = tf.keras.layers.Activation('relu')(x)
x = tf.keras.layers.GlobalAveragePooling2D()(x)
x = tf.keras.layers.Dropout(0.2)(x)
x = tf.keras.layers.Dense(10, activation='softmax')(x)
model = tf.keras.Model(inputs=input_Layer, outputs=x)
model.summary()

model.compile(loss='categorical_crossentropy',
              optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
              metrics=['accuracy'])
model.fit(x_train, y_train, batch_size=32, epochs=1)
model.evaluate(x_test, y_test)
