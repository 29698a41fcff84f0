"""Lesson 2.4: the forward pass of a three-layer network.

Check your function:       tutor verify forward-pass
Run the lesson with it:    tutor run forward-pass --headless --mine
"""

import numpy as np


def sigmoid(a):
    """The hidden layers' activation (given: this exercise is about the layers)."""
    return 1.0 / (1.0 + np.exp(-a))


def forward(x, W1, b1, W2, b2, W3, b3):
    """The network's output for the input x.

    x: the input, shape (2,) in the lesson (or one input per row).
    W1 (2, 3), b1 (3,): the first hidden layer, sigmoid activation.
    W2 (3, 2), b2 (2,): the second hidden layer, sigmoid activation.
    W3 (2, 2), b3 (2,): the output layer, identity activation (nothing applied).
    Returns Y, shape (2,) in the lesson.
    """
    # TODO: A1 = x W1 + b1, Z1 = sigmoid(A1)
    # TODO: A2 = Z1 W2 + b2, Z2 = sigmoid(A2)
    # TODO: A3 = Z2 W3 + b3 is the output
    raise NotImplementedError("write forward(x, W1, b1, W2, b2, W3, b3)")
