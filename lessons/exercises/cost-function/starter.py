"""Measuring error: the cost of a line over all the beans.

Check it: tutor verify cost-function      Train with it: tutor run cost-function --headless --mine
"""

import numpy as np


def cost(w, x, y):
    """The mean squared error of the line y_hat = w x over the beans.

    w: one number; x, y: arrays of the beans' sizes and toxicities.
    Returns one number: the mean over the beans of (y - w x)^2.
    """
    # TODO: each bean's error, squared
    # TODO: return their mean, as one number
    raise NotImplementedError("write cost: the mean of the squared errors")
