"""Lesson 3.3: a deep network for the spiral.

Check your function:       tutor verify deep-spiral
Train the lesson with it:  tutor run deep-spiral --headless --mine
"""


def spiral_network(keras, depth, width):
    """A keras.Sequential model (not compiled): 2 inputs -> `depth` ReLU layers of `width` -> 1 sigmoid.

    keras: the Keras module (the lesson passes it in).
    depth: how many hidden layers; width: neurons in each hidden layer.
    """
    # TODO: keras.Input for two numbers (a point's x and y)
    # TODO: `depth` hidden Dense layers of `width` neurons, activation "relu"
    # TODO: one output neuron, activation "sigmoid": P(class 1)
    raise NotImplementedError("write spiral_network(keras, depth, width)")
