"""The beans: bean size x against toxicity y, the running example of chapters 1-2.

Every generator takes the run's ``np.random.Generator``: the same seed gives
the same beans.
"""

from __future__ import annotations

import numpy as np


def toxicity_beans(rng: np.random.Generator, m: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """m beans with size x ~ U(0, 1), sorted, and toxicity y = 1.2 x + U(0, 0.1).

    The noise is never negative (mean 0.05), so the best line through the
    origin is a little steeper than 1.2.
    """
    x = np.sort(rng.uniform(0.0, 1.0, m))  # (m,)
    y = 1.2 * x + rng.uniform(0.0, 0.1, m)  # (m,)
    return x, y
