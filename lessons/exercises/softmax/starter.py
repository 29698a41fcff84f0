"""Lesson 2.5: softmax and cross-entropy.

Check your functions:      tutor verify softmax
Run the lesson with them:  tutor run softmax --headless --mine
"""

import numpy as np


def softmax(a):
    """Probabilities from logits: e^(a_k) / sum_i e^(a_i).

    a: a 1-D array of logits (one sample), or a 2-D array with one sample per
    row - then every row becomes probabilities that add up to 1. Must work for
    logits like [1010, 1000, 990] (e^1010 does not fit in a float).
    """
    # TODO: shift the logits by their largest value (per row for a 2-D array)
    # TODO: take e^ of the shifted logits and divide by their sum (per row too)
    raise NotImplementedError("write softmax(a)")


def cross_entropy(y, t):
    """The mean over the rows of -log(y[t]): how wrong the probabilities y are.

    y: probabilities, 1-D (one sample) or 2-D (one sample per row).
    t: the true class: one index for one sample, or an array of one index per row.
    """
    # TODO: pick the probability each row gives to its true class
    # TODO: return the mean of -log of those probabilities (one number)
    raise NotImplementedError("write cross_entropy(y, t)")
