model = Sequential()
model.add(Dense(64, activation='relu', input_shape=(784)))
model.add(Dense(10, activation='softmax'))
