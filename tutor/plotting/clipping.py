"""Two guards before plotext sees a number: it is finite, and inside the plot's limits.

plotext joins points cell by cell, so one coordinate of 1e300 would allocate
without bound; what is clipped is said in a caption.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from tutor.plotting.scales import Box

FARTHEST = 1e15


def floats(values: Any) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.zeros(0)


def coords(values: Any) -> np.ndarray:
    """Values to draw: NaN where not finite or too far out to draw."""
    values = floats(values)
    return np.where(np.abs(values) <= FARTHEST, values, np.nan)


def given_limits(data: Mapping[str, Any]) -> tuple[float, float]:
    """The view's ``ylim`` if it sent one (NaN, NaN otherwise)."""
    limits = coords(data.get("ylim") if data.get("ylim") is not None else ())
    return (float(limits[0]), float(limits[1])) if len(limits) >= 2 else (math.nan, math.nan)


def marker_point(value: Any) -> tuple[float, float] | None:
    """An (x, y) pair to mark, or None when there is none."""
    pair = coords(value if value is not None else ())
    return (float(pair[0]), float(pair[1])) if len(pair) >= 2 else None


def clip_polyline(x: np.ndarray, y: np.ndarray, box: Box) -> tuple[list[tuple[list[float], list[float]]], bool]:
    """The pieces of a polyline inside ``box`` (cut at its edges and at non-finite points).

    Returns (pieces, clipped): clipped is True when some of it was outside or not finite.
    """
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    finite = np.isfinite(x) & np.isfinite(y)
    if n and finite.all() and box.inside(x, y).all():  # the usual case, without a Python loop
        return [(x.tolist(), y.tolist())], False
    pieces: list[tuple[list[float], list[float]]] = []
    clipped = not finite.all()
    current: tuple[list[float], list[float]] | None = None
    if n == 1 and finite[0]:
        if box.inside(x, y)[0]:
            return [(x.tolist(), y.tolist())], False
        return [], True
    for i in range(n - 1):
        if not (finite[i] and finite[i + 1]):
            current = None
            continue
        segment = _clip_segment(float(x[i]), float(y[i]), float(x[i + 1]), float(y[i + 1]), box)
        if segment is None:
            clipped, current = True, None
            continue
        (x0, y0), (x1, y1), cut_start, cut_end = segment
        clipped = clipped or cut_start or cut_end
        if current is None or cut_start:
            current = ([x0], [y0])
            pieces.append(current)
        current[0].append(x1)
        current[1].append(y1)
        if cut_end:
            current = None
    return pieces, clipped


def _clip_segment(x0: float, y0: float, x1: float, y1: float, box: Box):
    """Liang-Barsky: the part of a segment inside the box, or None."""
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x.low), (dx, box.x.high - x0), (-dy, y0 - box.y.low), (dy, box.y.high - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if not math.isfinite(t):
            return None
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy), t0 > 0, t1 < 1


def plot_clipped(plt: Any, x: Any, y: Any, box: Box, **style: Any) -> bool:
    """Plot a polyline cut to the box (one legend entry); True when something was cut."""
    pieces, clipped = clip_polyline(coords(x), coords(y), box)
    label = style.pop("label", None)
    for px, py in pieces:
        if len(px) == 1:  # plotext draws no line (and no legend entry) through one point
            plt.scatter(px, py, label=label, **{"marker": "●", **style})
        else:
            plt.plot(px, py, label=label, **style)
        label = None
    return clipped


def scatter_clipped(plt: Any, x: Any, y: Any, box: Box, **style: Any) -> int:
    """Scatter the points inside the box; return how many were left out."""
    x, y = coords(x), coords(y)
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    keep = np.isfinite(x) & np.isfinite(y) & box.inside(x, y)
    if keep.any():  # an empty series with a label would break plotext's legend
        plt.scatter(x[keep].tolist(), y[keep].tolist(), **style)
    return int(n - keep.sum())
