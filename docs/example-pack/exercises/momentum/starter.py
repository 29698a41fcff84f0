"""Momentum: steps that remember their direction.

Check it: tutor --lessons docs/example-pack verify momentum
"""


def momentum_step(value, velocity, slope, lr, momentum):
    """One step of descent with momentum.

    value: the parameter (w or b); velocity: its running direction; slope: the cost's slope
    at value; lr: the learning rate; momentum: how much of the old velocity is kept (0 to 1).
    Returns (new value, new velocity).
    """
    # TODO: the new velocity: keep momentum times the old one, and step downhill by lr * slope
    # TODO: return the value moved by the new velocity, and the new velocity
    raise NotImplementedError("write momentum_step: the new velocity, then the new value")
