"""Lesson 3.5: a pass/fail classifier.

Check your function:       tutor verify binary-mlp
Train the lesson with it:  tutor run binary-mlp --headless --mine
"""


def quality_network(keras, hidden):
    """A keras.Sequential model (not compiled): 2 inputs -> `hidden` sigmoid neurons -> 1 sigmoid (P(pass)).

    keras: the Keras module (the lesson passes it in).
    hidden: how many neurons the hidden layer has.
    """
    # TODO: keras.Input for the two measurements
    # TODO: a Dense layer of `hidden` neurons, activation "sigmoid"
    # TODO: one output neuron, activation "sigmoid"
    raise NotImplementedError("write quality_network(keras, hidden)")
