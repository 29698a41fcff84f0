"""1.2 Measuring error: sweep w and draw the cost curve e(w)."""

from __future__ import annotations

import numpy as np

from tutor.data.beans import toxicity_beans
from tutor.i18n import _
from tutor.reporting import TutorError
from tutor.routine_types import Params, Reporter
from tutor.routines._numbers import fmt


def cost(w: float, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of y_hat = w x over all beans."""
    return float(np.mean((y - w * x) ** 2))


def parabola(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """e(w) = a w^2 + b w + c: each bean's (y - w x)^2 expanded, then averaged."""
    a = float(np.mean(x**2))
    b = float(np.mean(-2 * x * y))
    c = float(np.mean(y**2))
    return a, b, c


def preview(params: Params, reporter: Reporter) -> None:
    """The beans, before any w is tried."""
    x, y = toxicity_beans(params.rng, params.beans)
    reporter.view("fit", points=[{"x": x, "y": y, "label": _("beans")}],
                  title=_("{n} beans: size and toxicity").format(n=len(x)), xlabel=_("size"), ylabel=_("toxicity"))


def run(params: Params, reporter: Reporter) -> dict:
    if params.w_to <= params.w_from:
        raise TutorError(_("the sweep runs from w = {w_from:g} up to w = {w_to:g}: "
                           "make 'sweep to' larger than 'sweep from'").format(w_from=params.w_from, w_to=params.w_to))
    x, y = toxicity_beans(params.rng, params.beans)
    # the sweep, rounded so that no w prints as -0.00 or 1.2800000000000011
    ws = np.round(np.arange(params.w_from, params.w_to + params.step / 2, params.step), 10)
    costs = np.empty_like(ws)
    best = 0
    line_x = np.array([0.0, 1.0])
    every = max(1, len(ws) // 60)  # about 60 redraw-worthy moments in the sweep
    for i, w in enumerate(ws):
        reporter.check_cancelled()
        costs[i] = cost(w, x, y)
        if costs[i] < costs[best]:
            best = i
        if i % every == 0 or i == len(ws) - 1:
            reporter.view(
                "cost", x=ws[: i + 1].copy(), y=costs[: i + 1].copy(), marker=(ws[best], costs[best]),
                title=_("w = {w}: cost {cost:.4f}   (lowest so far at w = {best})").format(
                    w=fmt(w, ".2f"), cost=costs[i], best=fmt(ws[best], ".2f")),
                xlabel="w", ylabel="e(w)",
            )
            reporter.view(
                "fit", points=[{"x": x, "y": y, "label": _("beans")}],
                lines=[{"x": line_x, "y": w * line_x, "label": _("trying w = {w}").format(w=fmt(w, ".2f"))},
                       {"x": line_x, "y": ws[best] * line_x,
                        "label": _("best so far {w}").format(w=fmt(ws[best], ".2f"))}],
                title=_("every w is a line; the cost says how far the beans are from it"),
                xlabel=_("size"), ylabel=_("toxicity"),
            )
            # Recorded: each step of the sweep is a frame the learner can replay and step through.
            reporter.progress(i + 1, len(ws), unit="w", cost=costs[i])
    reporter.view(  # the sweep ends on its answer, not on the last w it tried
        "fit", points=[{"x": x, "y": y, "label": _("beans")}],
        lines=[{"x": line_x, "y": ws[best] * line_x,
                "label": _("best w of the sweep {w}").format(w=fmt(ws[best], ".2f"))}],
        title=_("the line of the lowest cost"), xlabel=_("size"), ylabel=_("toxicity"),
    )

    a, b, c = parabola(x, y)
    least_squares_w = -b / (2 * a)  # where the slope 2 a w + b is zero
    reporter.view(
        "table", title=_("The cost as a parabola  e(w) = a w² + b w + c"),
        columns=[_("quantity"), _("value")],
        rows=[["a = mean(x²)", a], ["b = mean(-2 x y)", b], ["c = mean(y²)", c],
              [_("slope at the best w: 2 a w + b"), 2 * a * ws[best] + b],
              [_("best w of the sweep"), ws[best]], [_("lowest cost of the sweep"), costs[best]],
              [_("w where the slope is 0 (-b / 2a)"), least_squares_w]],
    )
    return {
        "best_w": float(ws[best]),
        "min_cost": float(costs[best]),
        "least_squares_w": least_squares_w,
        "grid_step": float(params.step),
    }
