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


def threshold_beans(rng: np.random.Generator, m: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """m beans, x ~ U(0, 1) sorted; toxic (y = 1) above a size threshold, else 0.

    y = 1 if 0.7 x + (0.5 - U(0, 1)) / 50 + 0.5 > 0.8: the border sits near
    x = 0.43 and the small noise blurs it a little, bean by bean.
    """
    x = np.sort(rng.uniform(0.0, 1.0, m))  # (m,)
    noise = (0.5 - rng.uniform(0.0, 1.0, m)) / 50
    y = (0.7 * x + noise + 0.5 > 0.8).astype(float)  # (m,) of 0.0 / 1.0
    return x, y


def band_beans(
    rng: np.random.Generator, m: int = 100, low: float = 0.6, high: float = 1.4
) -> tuple[np.ndarray, np.ndarray]:
    """m beans, x ~ U(0, 2) sorted; toxic only in the middle band low < x < high.

    Each bean's border is jittered by up to +-0.05, so the edges are a little
    noisy. No single sigmoid (a monotone S) can fit a band: it takes two.
    """
    x = np.sort(rng.uniform(0.0, 2.0, m))  # (m,)
    jitter = (0.5 - rng.uniform(0.0, 1.0, m)) / 10
    y = ((x + jitter > low) & (x + jitter < high)).astype(float)  # (m,)
    return x, y
