model = Sequential([
    Flatten(input_shape=(28, 28, 1)),
    Dense(10, activation='softmax'),

model.summary()
