model = Sequential()
model.add(Flatten(input_shape=(28, 28, 1)))
model.add(LSTM(32))
