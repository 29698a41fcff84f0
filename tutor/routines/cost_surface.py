"""1.4 Two parameters: the cost over (w, b) as a heat map, and descent walking down it.

The path sent to the surface view is the whole walk: every step of the first
``DETAIL`` (where it moves most), then thinned evenly to at most
``PATH_POINTS`` points. A walk whose cost grows past ``RUNAWAY`` times its
starting cost (or that ends up more than ``FAR`` grid widths off the map) has
diverged: the run ends at once with a message, its last frames still finite
and drawable, rather than walking on towards 1e300.
"""

from __future__ import annotations

import numpy as np

from tutor.data.beans import toxicity_beans
from tutor.i18n import _
from tutor.routine_types import Params, Reporter
from tutor.routines._numbers import fmt, plus
from tutor.routines._walks import WalkedAway, thinned

GRID_W = np.round(np.linspace(-1.5, 2.5, 41), 10)  # w from -1.5 to 2.5 in steps of 0.1
GRID_B = np.round(np.linspace(-3.0, 3.0, 61), 10)  # b from -3 to 3 in steps of 0.1
DETAIL = 200
PATH_POINTS = 400
RUNAWAY = 1e6
FAR = 100


def cost(w, b, x: np.ndarray, y: np.ndarray):
    """Mean squared error of y_hat = w x + b; w and b may be grids (broadcasting)."""
    y_hat = np.multiply.outer(w, x) + np.expand_dims(b, -1)  # (..., m)
    return np.mean((y - y_hat) ** 2, axis=-1)


def gradients(w: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Partial derivatives, averaged over the beans: de/dw = -2 x (y - y_hat), de/db = -2 (y - y_hat)."""
    error = y - (w * x + b)
    return float(np.mean(-2 * x * error)), float(np.mean(-2 * error))


def cost_map(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The cost over the grid: shape (61, 41), rows b, columns w.

    The same mean squared error, expanded as a quadratic in w and b so that
    5,000 beans do not need a (61, 41, 5000) array:
    e = mean(y^2) - 2 w mean(x y) - 2 b mean(y) + w^2 mean(x^2) + 2 w b mean(x) + b^2
    """
    w, b = GRID_W[np.newaxis, :], GRID_B[:, np.newaxis]
    return (np.mean(y * y) - 2 * w * np.mean(x * y) - 2 * b * np.mean(y)
            + w * w * np.mean(x * x) + 2 * w * b * np.mean(x) + b * b)


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(w, b) of the exact least-squares line: the bottom of the cost's valley."""
    best_w, best_b = np.polyfit(x, y, 1)
    return float(best_w), float(best_b)


def preview(params: Params, reporter: Reporter) -> None:
    """The beans and the cost map, before any step is taken."""
    x, y = toxicity_beans(params.rng, params.beans)
    surface = cost_map(x, y)
    reporter.view("surface", x=GRID_W, y=GRID_B, z=surface, marker=least_squares(x, y),
                  path={"x": np.array([params.w0]), "y": np.array([params.b0])},
                  title=_("the cost over (w, b); the walk starts at w = {w}, b = {b}").format(
                      w=fmt(params.w0, ".2f"), b=fmt(params.b0, ".2f")), xlabel="w", ylabel="b", zlabel=_("cost"))
    reporter.view("fit", points=[{"x": x, "y": y, "label": _("beans")}], title=_("{n} beans").format(n=len(x)),
                  xlabel=_("size"), ylabel=_("toxicity"))


def run(params: Params, reporter: Reporter) -> dict:
    x, y = toxicity_beans(params.rng, params.beans)
    surface = cost_map(x, y)
    row, column = np.unravel_index(np.argmin(surface), surface.shape)
    grid_best = (float(GRID_W[column]), float(GRID_B[row]))
    best = least_squares(x, y)  # the valley's true bottom: the map's cells only come close to it
    w, b = params.w0, params.b0
    start_cost = float(cost(w, b, x, y))
    path_w, path_b = [w], [b]
    every = max(1, params.epochs // 100)
    line_x = np.array([0.0, 1.0])
    ylim = (min(0.0, float(y.min())) - 0.1, float(y.max()) + 0.2)

    def far(value: float, grid: np.ndarray) -> bool:
        width = grid[-1] - grid[0]
        return not grid[0] - FAR * width <= value <= grid[-1] + FAR * width

    def show(step: int, away: bool = False) -> None:
        """The walk on the cost map and the line (w, b) draws, as they are after this step."""
        reporter.view(
            "surface", x=GRID_W, y=GRID_B, z=surface, marker=best,
            path={"x": thinned(path_w, DETAIL + 1, PATH_POINTS), "y": thinned(path_b, DETAIL + 1, PATH_POINTS)},
            title=_("step {step}: w = {w}, b = {b}").format(
                step=step, w=fmt(w, ".3g" if away else ".3f"), b=fmt(b, ".3g" if away else ".3f")),
            xlabel="w", ylabel="b", zlabel=_("cost"),
        )
        reporter.view(
            "fit", points=[{"x": x, "y": y, "label": _("beans")}], ylim=ylim,
            lines=[{"x": line_x, "y": w * line_x + b, "label": f"y = {fmt(w, '.2f')} x {plus(b)}"}],
            title=_("the line the current (w, b) draws"), xlabel=_("size"), ylabel=_("toxicity"),
        )

    show(0)
    reporter.frame(0, params.epochs)  # step 0, where the walk starts: the replay's first frame
    for epoch in range(1, params.epochs + 1):
        reporter.check_cancelled()
        dw, db = gradients(w, b, x, y)
        w, b = w - params.lr * dw, b - params.lr * db
        path_w.append(w)
        path_b.append(b)
        now = float(cost(w, b, x, y))
        away = not now <= RUNAWAY * max(start_cost, 1e-12) or far(w, GRID_W) or far(b, GRID_B)
        if epoch <= 20 or epoch % every == 0 or epoch == params.epochs or away:
            show(epoch, away)
            if not away:  # a diverged step's cost goes on the curve through the runner
                reporter.progress(epoch, params.epochs, cost=now, w=w, b=b)
        if away:
            raise WalkedAway(
                "cost", now, epoch, "step",
                _("the walk left the cost map at step {step} (w = {w:.3g}, b = {b:.3g}; the cost grew to "
                  "{cost:.3g}, {times:.2g} times where it started): the descent diverged. Each step "
                  "overshot the valley by more than the last. Try a smaller learning rate.").format(
                    step=epoch, w=w, b=b, cost=now, times=now / start_cost))
    return {
        "w": w, "b": b, "cost": float(cost(w, b, x, y)),
        "best_w": best[0], "best_b": best[1],
        "grid_best_w": grid_best[0], "grid_best_b": grid_best[1],
    }
