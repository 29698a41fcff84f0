"""Lesson 2.6: reading MNIST digits with a 784-50-100-10 network.

Check your function:       tutor verify mnist-inference
Run the lesson with it:    tutor run mnist-inference --headless --mine
"""

import numpy as np


def sigmoid(a):
    """The hidden layers' activation (given)."""
    return 1.0 / (1.0 + np.exp(-np.clip(a, -500, 500)))


def softmax(a):
    """The output's activation (given): each row of scores becomes ten probabilities."""
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def predict(network, x):
    """The ten class probabilities for x.

    network: a dict of arrays W1 (784, 50), b1 (50,), W2 (50, 100), b2 (100,), W3 (100, 10), b3 (10,).
    x: one image (784,) -> returns (10,); or a batch (n, 784) -> returns (n, 10).
    """
    # TODO: z1 = sigmoid of x times W1 plus b1
    # TODO: z2 = sigmoid of z1 times W2 plus b2
    # TODO: return the softmax of z2 times W3 plus b3
    raise NotImplementedError("write predict(network, x)")
