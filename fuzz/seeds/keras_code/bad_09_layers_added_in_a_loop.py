model = Sequential()
model.add(Flatten(input_shape=(28, 28, 1)))
for units in [256, 128]: model.add(Dense(units, activation='relu'))
model.add(Dense(10, activation='softmax'))
