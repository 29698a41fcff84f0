"""2.1 Activation functions, and why a network needs a non-linear one.

Plots step, sigmoid, ReLU and tanh over [-5, 5], tabulates a few of their
values, then shows that two linear layers are secretly one:

    (X W1 + b1) W2 + b2  =  X (W1 W2) + (b1 W2 + b2)  =  X W + b

With an activation between the layers, the shortcut stops working.
"""

from __future__ import annotations

import numpy as np

from tutor.i18n import _
from tutor.routine_types import Params, Reporter


def step(x):
    """The perceptron's activation: 1 where x > 0, else 0 (a jump, no slope)."""
    return (np.asarray(x) > 0).astype(float)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def relu(x):
    return np.maximum(0.0, x)


def tanh(x):
    return np.tanh(x)


def identity(x):
    return np.asarray(x, dtype=float)


ACTIVATIONS = {"step": step, "sigmoid": sigmoid, "relu": relu, "tanh": tanh}
BETWEEN = {"none": identity, "sigmoid": sigmoid, "relu": relu, "tanh": tanh}
FORMULAS = {
    "step": ("1 if x > 0 else 0", "{0, 1}"),
    "sigmoid": ("1 / (1 + e^-x)", "(0, 1)"),
    "relu": ("max(0, x)", "[0, inf)"),
    "tanh": ("(e^x - e^-x) / (e^x + e^-x)", "(-1, 1)"),
}
SAMPLE_POINTS = (-2.0, -0.5, 0.0, 0.5, 2.0)


def two_layers(x, w1, b1, w2, b2, between=identity):
    """Layer 1, an activation (or none), layer 2: (n, i) -> (n, h) -> (n, o)."""
    return between(x @ w1 + b1) @ w2 + b2


def collapse(w1, b1, w2, b2):
    """The single layer that does what two linear layers do: W = W1 W2, b = b1 W2 + b2."""
    return w1 @ w2, b1 @ w2 + b2


def run(params: Params, reporter: Reporter) -> dict:
    grid = np.linspace(-5.0, 5.0, 201)
    reporter.view(
        "fit",
        lines=[{"x": grid, "y": f(grid), "label": name} for name, f in ACTIVATIONS.items()],
        # The range of step, sigmoid and tanh fills the plot; ReLU climbs on past its top.
        title=_("four activation functions"), xlabel=_("x (the weighted sum)"), ylabel="h(x)",
        ylim=(-1.15, 1.15),
    )
    reporter.view(
        "table",
        title=_("what each one does to a few inputs"),
        columns=[_("function"), *[f"x = {p:g}" for p in SAMPLE_POINTS], _("range"), _("formula")],
        rows=[[name, *ACTIVATIONS[name](np.array(SAMPLE_POINTS)).tolist(), *reversed(FORMULAS[name])]
              for name in ACTIVATIONS],
    )
    reporter.check_cancelled()

    rng = params.rng
    n, i, h, o = params.samples, params.inputs, params.hidden, params.outputs
    x = rng.normal(size=(n, i))
    w1, b1 = rng.normal(size=(i, h)), rng.normal(size=h)
    w2, b2 = rng.normal(size=(h, o)), rng.normal(size=o)
    w, b = collapse(w1, b1, w2, b2)
    deep = two_layers(x, w1, b1, w2, b2, BETWEEN[params.between])  # (n, o)
    flat = x @ w + b  # (n, o)
    difference = np.abs(deep - flat)
    worst = float(difference.max())

    between = "" if params.between == "none" else params.between
    rows = [f"x{k + 1}" for k in range(n)]
    outs = [f"out{k + 1}" for k in range(o)]
    reporter.view("matrix", matrices=[
        {"title": f"W1 {w1.shape}", "values": w1},
        {"title": f"W2 {w2.shape}", "values": w2},
        {"title": _("W = W1 W2 {shape}, b = b1 W2 + b2 as the last row").format(shape=w.shape),
         "values": np.vstack([w, b])},
        {"title": _("two layers: {between}(X W1 + b1) W2 + b2").format(between=between),
         "values": deep, "rows": rows, "cols": outs},
        {"title": _("one matrix: X W + b"), "values": flat, "rows": rows, "cols": outs},
        {"title": _("|difference|: at most {worst:.3g}").format(worst=worst),
         "values": difference, "rows": rows, "cols": outs},
    ])
    reporter.progress(1, 1, max_abs_diff=worst)
    return {"max_abs_diff": worst, "linear": params.between == "none"}
