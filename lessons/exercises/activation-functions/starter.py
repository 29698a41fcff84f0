"""Lesson 2.1: two linear layers are one.

Check your function:       tutor verify activation-functions
Run the lesson with it:    tutor run activation-functions --headless --mine
"""

import numpy as np


def collapse(w1, b1, w2, b2):
    """The single layer (W, b) with x W + b == (x W1 + b1) W2 + b2 for every input x.

    w1: (inputs, hidden), b1: (hidden,) - the first layer.
    w2: (hidden, outputs), b2: (outputs,) - the second layer.
    Returns W of shape (inputs, outputs) and b of shape (outputs,).
    """
    # TODO: multiply (x W1 + b1) W2 + b2 out; the part multiplied by x is W
    # TODO: what is left (no x in it) is b
    raise NotImplementedError("write collapse(w1, b1, w2, b2)")
