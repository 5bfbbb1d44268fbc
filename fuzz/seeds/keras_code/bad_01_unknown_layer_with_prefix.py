import tensorflow as tf
input_Layer = tf.keras.layers.Input(shape=(28, 28, 1))
x = tf.keras.layers.Conv3D(8, (3, 3, 3))(input_Layer)
model = tf.keras.Model(inputs=input_Layer, outputs=x)
