import tensorflow as tf

(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train[..., None].astype("float32") / 255.0

augment = tf.keras.Sequential([
    tf.keras.layers.RandomRotation(10 / 360, fill_mode='constant'),
    tf.keras.layers.RandomZoom(0.1, fill_mode='constant'),
])
train_ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
            .shuffle(10_000)
            .batch(64)
            .map(lambda images, labels: (augment(images, training=True), labels)))

model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(16, 3, activation='relu', input_shape=(28, 28, 1)),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10, activation='softmax'),
])
model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
print(model.summary())
model.fit(train_ds, epochs=3, callbacks=[tf.keras.callbacks.EarlyStopping(monitor='loss', patience=1)])
