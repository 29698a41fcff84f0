"""Lesson 2.2, a sigmoid neuron: write its squash and the chain rule for one bean.

Check your functions:      tutor verify sigmoid-neuron
Train the lesson with them: tutor run sigmoid-neuron --headless --mine
"""

import numpy as np


def sigmoid(z):
    """1 / (1 + e^-z) for every item of z: a number or a NumPy array of any shape.

    sigmoid(0) is 0.5. It must not overflow: sigmoid(1000) is 1.0 and
    sigmoid(-1000) is 0.0, with no NumPy warning and no nan.
    """
    # TODO: compute e^-z with np.exp (it works item by item on arrays)
    # TODO: make sure no exponent is ever large and positive (e^1000 does not fit in a float)
    raise NotImplementedError("write sigmoid(z)")


def gradients(w, b, x, y):
    """(de/dw, de/db) for one bean, where e = (y - a)^2 and a = sigmoid(w x + b).

    w, b: the neuron's weight and bias; x: the bean's size; y: 1.0 if the bean is
    toxic, else 0.0. All four are plain numbers; return two numbers.
    """
    # TODO: the forward pass: z = w x + b, then a = sigmoid(z)
    # TODO: the links: de/da = -2 (y - a), da/dz = a (1 - a), dz/dw = x, dz/db = 1
    # TODO: return de/da * da/dz * dz/dw, de/da * da/dz * dz/db
    raise NotImplementedError("write gradients(w, b, x, y)")
