"""Lesson 3.1: a line as a Keras model.

Check your function:       tutor verify keras-basics
Train the lesson with it:  tutor run keras-basics --headless --mine
"""


def line_model(keras):
    """A keras.Sequential model computing y = w x + b for one input x (not compiled).

    keras: the Keras module (the lesson passes it in: use keras.Sequential,
    keras.Input and keras.layers.Dense from it).
    """
    # TODO: keras.Sequential([...]) starting with keras.Input for one number
    # TODO: one Dense layer with one unit and no activation
    raise NotImplementedError("write line_model(keras)")
