inputs = Input(shape=(None, None, 1))
x = GlobalAveragePooling2D()(inputs)
model = Model(inputs, x)
