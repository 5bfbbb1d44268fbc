num_classes = 10
input_shape = (28, 28, 1)
filters = 32
kernel = (3, 3)
rate = 0.25

model = Sequential()
model.add(Conv2D(filters, kernel, activation='relu', input_shape=input_shape))
model.add(Conv2D(64, kernel, activation='relu'))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(rate))
model.add(Flatten())
model.add(Dense(128, activation='relu'))
model.add(Dropout(0.5))
model.add(Dense(num_classes, activation='softmax'))
