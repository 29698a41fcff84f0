"""Rosenblatt's neuron: the rule that teaches it, one bean at a time.

Check it: tutor verify rosenblatt      Train with it: tutor run rosenblatt --headless --mine
"""

import numpy as np


def learn_from_bean(w, x, y, lr):
    """w after one Rosenblatt update on one bean.

    w: the neuron's weight (it predicts a bean's toxicity as w * x)
    x: the bean's size, y: its toxicity, lr: the learning rate
    Returns the new w (one number).
    """
    # TODO: the error: how far the bean's toxicity is above the prediction w * x
    # TODO: return w moved by the error, scaled by the bean's size x and by lr
    raise NotImplementedError("write learn_from_bean: the error first, then the new w")
