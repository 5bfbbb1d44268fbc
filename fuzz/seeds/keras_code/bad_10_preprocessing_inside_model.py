from tensorflow.keras import layers, Sequential
model = Sequential([
    layers.Rescaling(1./255, input_shape=(28, 28, 1)),
    layers.Flatten(),
    layers.Dense(10, activation='softmax'),
])
