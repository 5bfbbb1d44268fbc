model = Sequential()
model.add(Dense(10, activation=‘softmax’, input_shape=(784,)))
