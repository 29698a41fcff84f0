"""View payloads built from a trained model: what a routine sends with ``reporter.view``.

Each returns the typed payload of its view kind in :mod:`tutor.views`. Nothing here
imports Keras, TensorFlow or a user interface: a model is anything that can
be called on a float32 array (``model(x, training=False)``) and has
``layers``, ``count_params()`` and ``trainable_weights`` - a Keras model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tutor.data.toy import grid
from tutor.i18n import _
from tutor.views import Series, SurfaceData, TableData


def predict(model: Any, x: Any, batch_size: int = 2048) -> np.ndarray:
    """The model's outputs for ``x`` as a NumPy array, ``batch_size`` rows per call.

    Calls the model directly: ``model.predict`` sets up a whole data pipeline
    per call, far too slow for a view redrawn every fraction of a second.
    """
    x = np.asarray(x, dtype="float32")
    chunks = [
        np.asarray(model(x[start : start + batch_size], training=False)) for start in range(0, len(x), batch_size)
    ]
    if chunks:
        return np.concatenate(chunks)
    return np.asarray(model(x, training=False))  # no rows: the model still says how wide its output is


def summary_table(model: Any, title: str = "model.summary()") -> TableData:
    """``model.summary()`` as ``table`` view data: one row per layer, then the total.

    Send it with ``reporter.view("table", **summary_table(model))``.
    """
    rows = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):  # a layer not yet called on data
            shape = None
        shape_text = "?" if shape is None else "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
        rows.append([f"{layer.name} ({type(layer).__name__})", shape_text, int(layer.count_params())])
    trainable = int(sum(int(np.prod(v.shape)) for v in model.trainable_weights))
    rows.append([_("total"), "", int(model.count_params())])
    return {
        "columns": [_("layer (type)"), _("output shape"), _("params")],
        "rows": rows,
        "title": _("{title}: {count} trainable parameters").format(title=title, count=trainable),
    }


def decision_surface(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    *,
    step: float | None = None,
    points: int = 60,
    margin: float = 0.1,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    class_names: Sequence[str] = ("class 0", "class 1"),
    title: str = "",
    xlabel: str = "x1",
    ylabel: str = "x2",
) -> SurfaceData:
    """``surface`` view data: P(class 1) over a grid covering the data, with the data on it.

    ``bounds`` ((x_low, y_low), (x_high, y_high)) defaults to the data's range
    plus ``margin`` of it; ``step`` gives the grid spacing, else ``points`` per axis.
    """
    if bounds is None:
        low, high = x.min(axis=0), x.max(axis=0)
        pad = (high - low) * margin
        bounds = (tuple(low - pad), tuple(high + pad))
    xs, ys, coords = grid(bounds[0], bounds[1], step=step, points=points)
    z = predict(model, coords)[:, 0].reshape(len(ys), len(xs))  # (ny, nx)
    groups: list[Series] = [{"x": x[y == k, 0], "y": x[y == k, 1], "label": name} for k, name in enumerate(class_names)]
    return {
        "x": xs,
        "y": ys,
        "z": z,
        "points": groups,
        "title": title,
        "xlabel": xlabel,
        "ylabel": ylabel,
        "zlabel": f"P({class_names[1]})",
    }
