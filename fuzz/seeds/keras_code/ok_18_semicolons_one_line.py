model = Sequential(); model.add(Flatten(input_shape=(28, 28, 1))); model.add(Dense(32, activation='tanh')); model.add(Dense(10, activation='softmax'))
model.compile(loss='sparse_categorical_crossentropy', optimizer='sgd', metrics=['accuracy']); model.summary()
