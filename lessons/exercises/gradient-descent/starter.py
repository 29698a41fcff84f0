"""Gradient descent: the slope that tells w which way is downhill.

Check it: tutor verify gradient-descent      Train with it: tutor run gradient-descent --headless --mine
"""

import numpy as np


def slope(w, x, y):
    """The slope at w of one bean's cost (y - w x)^2: its derivative with respect to w.

    x, y: a bean's size and toxicity, as numbers - or as arrays of many beans, and then
    the result is an array with one slope per bean (elementwise: no sum, no mean).
    Positive means the cost rises as w grows (downhill is to the left).
    """
    # TODO: differentiate (y - w x)^2 with respect to w (expand it, or use the chain rule)
    raise NotImplementedError("write slope: the derivative of (y - w x)^2 with respect to w")
