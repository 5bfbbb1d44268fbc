model = Sequential()
model.add(Flatten(input_shape=(28, 28, 1)))
model.add(Dense(num_classes, activation='softmax'))
