"""1.3 Three ways down the slope: stochastic, mini-batch and fixed-step descent on w."""

from __future__ import annotations

import numpy as np

from tutor.data.beans import toxicity_beans


def slope(w: float, x: np.ndarray, y: np.ndarray) -> float:
    """d/dw of (y - w x)^2 is k = 2 x^2 w - 2 x y; averaged over the beans given."""
    return float(np.mean(2 * x**2 * w - 2 * x * y))


def cost(w: float, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((y - w * x) ** 2))


def stochastic_epoch(w: float, x: np.ndarray, y: np.ndarray, lr: float, reporter) -> float:
    """One update per bean: w <- w - lr k."""
    for xi, yi in zip(x.tolist(), y.tolist()):  # plain floats: 30x faster than 0-d arrays
        reporter.check_cancelled()
        w -= lr * (2 * xi * xi * w - 2 * xi * yi)
    return w


def mini_batch_epoch(w: float, x: np.ndarray, y: np.ndarray, lr: float, batch: int, reporter) -> float:
    """One update per batch, with the slope averaged over the batch."""
    for start in range(0, len(x), batch):
        reporter.check_cancelled()
        w -= lr * slope(w, x[start:start + batch], y[start:start + batch])
    return w


def fixed_step_epoch(w: float, x: np.ndarray, y: np.ndarray, step: float, batch: int, reporter) -> float:
    """Only the slope's sign counts: move a fixed step downhill, so w ends up wobbling."""
    for start in range(0, len(x), batch):
        reporter.check_cancelled()
        w -= step * np.sign(slope(w, x[start:start + batch], y[start:start + batch]))
    return w


def run(params, reporter) -> dict:
    x, y = toxicity_beans(params.rng, params.beans)
    least_squares_w = float(np.sum(x * y) / np.sum(x * x))
    ws = np.linspace(min(params.w0, 0.0) - 0.2, max(2.5, params.w0 + 0.2), 120)
    curve = np.array([cost(w, x, y) for w in ws])
    w = params.w0
    visited = [w]
    line_x = np.array([0.0, 1.0])
    for epoch in range(1, params.epochs + 1):
        if params.shuffle:  # a new order every epoch, so no bean always has the last word
            order = params.rng.permutation(len(x))
            x, y = x[order], y[order]
        if params.method == "stochastic":
            w = stochastic_epoch(w, x, y, params.lr, reporter)
        elif params.method == "mini-batch":
            w = mini_batch_epoch(w, x, y, params.lr, params.batch, reporter)
        else:
            w = fixed_step_epoch(w, x, y, params.fixed_step, params.batch, reporter)
        visited.append(w)
        loss = cost(w, x, y)
        reporter.view(
            "fit", points=[{"x": x, "y": y, "label": f"{len(x)} beans"}],
            lines=[{"x": line_x, "y": w * line_x, "label": f"{params.method}: w = {w:.4f}"}],
            title=f"epoch {epoch}", xlabel="size", ylabel="toxicity",
        )
        reporter.view(
            "cost", x=ws, y=curve, path={"x": np.array(visited[-40:]), "y": np.array([cost(v, x, y) for v in visited[-40:]])},
            marker=(least_squares_w, cost(least_squares_w, x, y)),
            title=f"where w walks on the cost curve (last {min(40, len(visited))} epochs)", xlabel="w", ylabel="cost",
        )
        reporter.progress(epoch, params.epochs, loss=loss, w=w)
    per_epoch = len(x) if params.method == "stochastic" else -(-len(x) // params.batch)
    return {
        "w": w,
        "loss": cost(w, x, y),
        "least_squares_w": least_squares_w,
        "updates": per_epoch * params.epochs,
        # How much w still moves in the last 10 epochs: the fixed step's wobble.
        "wobble": float(np.ptp(visited[-10:])),
    }
