inp = Input(shape=(28, 28, 1))
flat = Flatten()(inp)
model = Sequential([flat, Dense(10)])
