"""What a lesson shows before its first run: the data alone, no model's answers.

Nothing here imports TensorFlow: a Keras lesson's ``preview`` makes its data
with the same ``tutor.data`` helpers and the same ``params.rng`` as its run,
so the learner sees exactly the points the run will train on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tutor.data.toy import grid


def class_scatter(
    x: np.ndarray,
    y: np.ndarray,
    *,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    points: int = 50,
    step: float | None = None,
    margin: float = 0.1,
    class_names: Sequence[str] = ("class 0", "class 1"),
    title: str = "",
    xlabel: str = "x1",
    ylabel: str = "x2",
) -> dict[str, Any]:
    """``surface`` data with the classes' points over the grid the run will shade, and an empty ``z``.

    The grid's coordinates are those ``keras_bridge.decision_surface`` uses
    for the same arguments, so the plot does not move when the run starts.
    """
    if bounds is None:
        low, high = x.min(axis=0), x.max(axis=0)
        pad = (high - low) * margin
        bounds = (tuple(low - pad), tuple(high + pad))
    xs, ys, _ = grid(bounds[0], bounds[1], step=step, points=points)
    groups = [{"x": x[y == k, 0], "y": x[y == k, 1], "label": name} for k, name in enumerate(class_names)]
    return {"x": xs, "y": ys, "z": np.empty((0, 0)), "points": groups, "title": title,
            "xlabel": xlabel, "ylabel": ylabel, "zlabel": f"P({class_names[1]})"}
