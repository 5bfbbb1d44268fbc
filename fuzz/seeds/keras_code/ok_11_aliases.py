from tensorflow.keras import layers, Sequential
model = Sequential([
    layers.Convolution2D(16, 3, padding='same', activation='relu', input_shape=(28, 28, 1)),
    layers.MaxPool2D(),
    layers.Conv2D(32, 3, padding='same', activation='relu'),
    layers.AvgPool2D(2),
    layers.Conv2D(64, 3, padding='same', activation='relu'),
    layers.GlobalAvgPool2D(),
    layers.Dense(10, activation='softmax'),
])
