model = Sequential()
model.add(Conv2D(filters=32, (3, 3), input_shape=(28, 28, 1)))
