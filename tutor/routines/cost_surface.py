"""1.4 Two parameters: the cost over (w, b) as a heat map, and descent walking down it."""

from __future__ import annotations

import numpy as np

from tutor.data.beans import toxicity_beans


def cost(w, b, x: np.ndarray, y: np.ndarray):
    """Mean squared error of y_hat = w x + b; w and b may be grids (broadcasting)."""
    y_hat = np.multiply.outer(w, x) + np.expand_dims(b, -1)  # (..., m)
    return np.mean((y - y_hat) ** 2, axis=-1)


def gradients(w: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Partial derivatives, averaged over the beans: de/dw = -2 x (y - y_hat), de/db = -2 (y - y_hat)."""
    error = y - (w * x + b)
    return float(np.mean(-2 * x * error)), float(np.mean(-2 * error))


def run(params, reporter) -> dict:
    x, y = toxicity_beans(params.rng, params.beans)
    grid_w = np.arange(0.0, 2.0, 0.1)  # (20,)
    grid_b = np.arange(-3.0, 3.0, 0.1)  # (60,)
    surface = cost(grid_w[np.newaxis, :], grid_b[:, np.newaxis], x, y)  # (60, 20): rows b, columns w
    row, column = np.unravel_index(np.argmin(surface), surface.shape)
    grid_best = (float(grid_w[column]), float(grid_b[row]))
    w, b = params.w0, params.b0
    path_w, path_b = [w], [b]
    every = max(1, params.epochs // 100)
    for epoch in range(1, params.epochs + 1):
        reporter.check_cancelled()
        dw, db = gradients(w, b, x, y)
        w, b = w - params.lr * dw, b - params.lr * db
        path_w.append(w)
        path_b.append(b)
        if epoch % every == 0 or epoch == params.epochs:
            reporter.view(
                "surface", x=grid_w, y=grid_b, z=surface,
                path={"x": np.array(path_w), "y": np.array(path_b)}, marker=grid_best,
                title=f"step {epoch}: w = {w:.3f}, b = {b:.3f}", xlabel="w", ylabel="b", zlabel="cost",
            )
            line_x = np.array([0.0, 1.0])
            reporter.view(
                "fit", points=[{"x": x, "y": y, "label": "beans"}],
                lines=[{"x": line_x, "y": w * line_x + b, "label": f"y = {w:.2f} x + {b:.2f}"}],
                title="the line the current (w, b) draws", xlabel="size", ylabel="toxicity",
            )
            reporter.progress(epoch, params.epochs, cost=float(cost(w, b, x, y)), w=w, b=b)
    best_w, best_b = np.polyfit(x, y, 1)  # the exact least-squares line, for comparison
    return {
        "w": w, "b": b, "cost": float(cost(w, b, x, y)),
        "best_w": float(best_w), "best_b": float(best_b),
        "grid_best_w": grid_best[0], "grid_best_b": grid_best[1],
    }
