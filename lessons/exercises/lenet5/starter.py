"""Lesson 4.3: LeNet-5.

Check your function:       tutor verify lenet5
Train the lesson with it:  tutor run lenet5 --headless --mine
"""


def lenet5(keras):
    """LeNet-5 as a keras.Sequential model (not compiled), for 28x28x1 images and 10 digits.

    keras: the Keras module (the lesson passes it in: keras.layers holds Conv2D,
    AveragePooling2D, Flatten and Dense).
    """
    # TODO: keras.Input for a (28, 28, 1) image
    # TODO: Conv2D with 6 filters of 5x5, relu; then AveragePooling2D of 2x2
    # TODO: Conv2D with 16 filters of 5x5, relu; then AveragePooling2D of 2x2
    # TODO: Flatten, Dense 120 relu, Dense 84 relu, Dense 10 softmax
    raise NotImplementedError("write lenet5(keras)")
