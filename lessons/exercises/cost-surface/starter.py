"""Two parameters: the gradient that walks (w, b) down the cost's valley.

Check it: tutor verify cost-surface      Train with it: tutor run cost-surface --headless --mine
"""

import numpy as np


def gradients(w, b, x, y):
    """The partial derivatives of the cost mean((y - (w x + b))^2), averaged over the beans.

    w, b: numbers; x, y: arrays of the beans' sizes and toxicities.
    Returns the pair (dw, db): two numbers.
    """
    # TODO: each bean's error y - (w x + b)
    # TODO: dw: the mean of d/dw of error^2 (the chain rule brings a factor -x)
    # TODO: db: the mean of d/db of error^2
    raise NotImplementedError("write gradients: return dw, db")
