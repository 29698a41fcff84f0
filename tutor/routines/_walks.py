"""Helpers for routines that walk parameters downhill: bounded paths and early divergence.

The reporter calls a run diverged only when a metric is NaN, infinite or
beyond 1e30; a gradient-descent walk is hopeless long before that, and its
path is useless to draw once it has left every sensible range. These helpers
let a routine stop such a walk early, with a message that says what happened.
(A shared version of :class:`WalkedAway` would sit well in ``tutor.reporting``.)
"""

from __future__ import annotations

import numpy as np

from tutor.reporting import Diverged


class WalkedAway(Diverged):
    """The walk left the range where its cost means anything: a divergence, said in words."""

    def __init__(self, metric: str, value: float, step: int, unit: str, message: str) -> None:
        self.metric, self.value, self.step, self.unit = metric, float(value), step, unit
        ArithmeticError.__init__(self, message)


def thinned(values: list, keep_first: int, at_most: int) -> np.ndarray:
    """``values`` as an array of at most ``at_most`` items (assumes at_most > keep_first + 1).

    The first ``keep_first`` items (where a walk moves most) are all kept; the
    rest is thinned evenly, always keeping the last item.
    """
    if len(values) <= at_most:
        return np.array(values, dtype=float)
    head, tail = values[:keep_first], values[keep_first:]
    picks = np.linspace(0, len(tail) - 1, at_most - keep_first).round().astype(int)
    return np.array(head + [tail[i] for i in picks], dtype=float)
