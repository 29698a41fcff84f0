"""Lesson 2.3: back-propagation through a hidden layer of two sigmoid neurons.

Check your function:       tutor verify hidden-layer
Train the lesson with it:  tutor run hidden-layer --headless --mine
"""

import math


def sigmoid(z):
    """sigmoid for one number (given: this exercise is about the gradients)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def backward(p, x, y):
    """The slope of one bean's error e = (y - a)^2 for each of the seven weights.

    p: the weights by name: p["w1"], p["b1"] (hidden neuron 1), p["w2"], p["b2"]
       (hidden neuron 2), p["v1"], p["v2"], p["c"] (the output neuron).
    x: the bean's size; y: 1.0 if it is toxic, else 0.0.
    The network: h1 = sigmoid(w1 x + b1), h2 = sigmoid(w2 x + b2),
                 a = sigmoid(v1 h1 + v2 h2 + c).
    Returns {"w1": de/dw1, "b1": de/db1, ..., "c": de/dc}: seven numbers.
    """
    # TODO: the forward pass for this bean: h1, h2, a
    # TODO: the output's delta, then the gradients of v1, v2 and c
    # TODO: each hidden neuron's delta (through v1, v2), then the gradients of w1, b1, w2, b2
    raise NotImplementedError("write backward(p, x, y)")
