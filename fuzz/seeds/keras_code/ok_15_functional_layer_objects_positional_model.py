from tensorflow.keras.layers import Input, Conv2D, MaxPooling2D, Flatten, Dense
from tensorflow.keras.models import Model

inp = Input((28, 28, 1))
conv = Conv2D(8, 3, activation='relu')
pool = MaxPooling2D()
x = conv(inp)
x = pool(x)
x = Flatten()(x)
out = Dense(10, activation='softmax')(x)
model = Model(inp, out)
