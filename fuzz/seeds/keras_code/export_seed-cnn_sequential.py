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
model = tf.keras.Sequential()
model.add(tf.keras.layers.Conv2D(32, (3, 3), strides=1, activation='relu', padding='same', input_shape=(28, 28, 1)))
model.add(tf.keras.layers.MaxPooling2D(pool_size=(2, 2)))
model.add(tf.keras.layers.Conv2D(64, (3, 3), strides=1, activation='relu', padding='valid'))
model.add(tf.keras.layers.MaxPooling2D(pool_size=(2, 2)))
model.add(tf.keras.layers.Flatten())
model.add(tf.keras.layers.Dense(10, activation='softmax'))
model.summary()

model.compile(loss='categorical_crossentropy',
              optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
              metrics=['accuracy'])
model.fit(x_train, y_train, batch_size=32, epochs=1)
model.evaluate(x_test, y_test)
