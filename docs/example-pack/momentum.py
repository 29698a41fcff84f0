"""Example pack routine: gradient descent with momentum on the beans' (w, b) valley.

A pack's routine follows the same rules as the tutor's own: plain maths, no UI
imports, randomness from params.rng, reports through the reporter.
"""

from __future__ import annotations

import numpy as np


def beans(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.sort(rng.uniform(0.0, 1.0, m))
    return x, 1.2 * x + rng.uniform(0.0, 0.1, m)


def gradients(w: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    error = y - (w * x + b)
    return float(np.mean(-2 * x * error)), float(np.mean(-2 * error))


def momentum_step(value: float, velocity: float, slope: float, lr: float, momentum: float) -> tuple[float, float]:
    """One step with momentum: (the new value, the new velocity).

    The velocity keeps a running direction (momentum times the old one, minus lr times
    the slope), so steps along the valley add up while the zig-zag across it cancels out.
    """
    velocity = momentum * velocity - lr * slope
    return value + velocity, velocity


def run(params, reporter) -> dict:
    x, y = beans(params.rng, params.beans)
    w, b = 0.1, 2.5
    velocity_w = velocity_b = 0.0
    for step in range(1, params.steps + 1):
        reporter.check_cancelled()
        dw, db = gradients(w, b, x, y)
        w, velocity_w = momentum_step(w, velocity_w, dw, params.lr, params.momentum)
        b, velocity_b = momentum_step(b, velocity_b, db, params.lr, params.momentum)
        loss = float(np.mean((y - (w * x + b)) ** 2))
        reporter.progress(step, params.steps, loss=loss)
    line = np.array([0.0, 1.0])
    reporter.view(
        "fit",
        points=[{"x": x, "y": y, "label": "beans"}],
        lines=[{"x": line, "y": w * line + b, "label": f"y = {w:.2f} x + {b:.2f}"}],
    )
    return {"w": w, "b": b, "loss": loss}
