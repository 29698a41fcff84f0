"""2.3 Two hidden sigmoid neurons and one output neuron, back-propagated by hand.

    h1 = sigmoid(w1 x + b1)        h2 = sigmoid(w2 x + b2)       (hidden layer)
    a  = sigmoid(v1 h1 + v2 h2 + c)                              (output)
    e  = (y - a)^2

Back-propagation, for one bean, from the output back:

    delta  = de/dz_out = -2 (y - a) * a (1 - a)
    de/dv1 = delta * h1        de/dv2 = delta * h2        de/dc = delta
    delta1 = delta * v1 * h1 (1 - h1)      (through the weight v1 that connects h1)
    de/dw1 = delta1 * x        de/db1 = delta1
    delta2 = delta * v2 * h2 (1 - h2)
    de/dw2 = delta2 * x        de/db2 = delta2

Like 2.2 the updates run bean by bean on plain floats, so 5,000 epochs take about a second.
"""

from __future__ import annotations

import math

import numpy as np

from tutor.data.beans import band_beans
from tutor.i18n import _
from tutor.routine_types import Params, Reporter
from tutor.routines.sigmoid_neuron import sigmoid, sigmoid_scalar  # the squash lesson 2.2 taught

NAMES = ("w1", "b1", "w2", "b2", "v1", "v2", "c")


def mean_squared_error(y: np.ndarray, a: np.ndarray) -> float:
    return float(np.mean((y - a) ** 2))


def accuracy(y: np.ndarray, a: np.ndarray) -> float:
    """Share of beans on the right side of 0.5."""
    return float(np.mean((a > 0.5) == (y > 0.5)))


def forward(p: dict[str, float], x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hidden outputs h1, h2 and the network's output a, for every bean at once."""
    h1 = sigmoid(p["w1"] * x + p["b1"])
    h2 = sigmoid(p["w2"] * x + p["b2"])
    a = sigmoid(p["v1"] * h1 + p["v2"] * h2 + p["c"])
    return h1, h2, a


def backward(p: dict[str, float], x: float, y: float) -> dict[str, float]:
    """The gradient of one bean's error e = (y - a)^2 for each of the seven weights, by name."""
    h1 = sigmoid_scalar(p["w1"] * x + p["b1"])
    h2 = sigmoid_scalar(p["w2"] * x + p["b2"])
    a = sigmoid_scalar(p["v1"] * h1 + p["v2"] * h2 + p["c"])
    delta = -2.0 * (y - a) * a * (1.0 - a)  # de/dz at the output neuron
    delta1 = delta * p["v1"] * h1 * (1.0 - h1)  # blame passed back through v1
    delta2 = delta * p["v2"] * h2 * (1.0 - h2)  # and through v2
    return {
        "v1": delta * h1,
        "v2": delta * h2,
        "c": delta,
        "w1": delta1 * x,
        "b1": delta1,
        "w2": delta2 * x,
        "b2": delta2,
    }


def blame(p: dict[str, float], x: float, y: float) -> dict[str, float]:
    """The pieces the table shows for one bean: the outputs, and the deltas (de/dc = delta, de/db1 = delta1)."""
    h1, h2, a = (float(values[0]) for values in forward(p, np.array([x])))
    g = backward(p, x, y)
    return {"h1": h1, "h2": h2, "a": a, "delta": g["c"], "delta1": g["b1"], "delta2": g["b2"]}


def train_epoch(p: dict[str, float], xs: list[float], ys: list[float], lr: float) -> dict[str, float]:
    """One pass, one update per bean; every gradient uses the weights as they were before that bean."""
    p = dict(p)
    for x, y in zip(xs, ys):
        g = backward(p, x, y)
        for name in NAMES:
            p[name] -= lr * g[name]
    return p


def backprop_table(p: dict[str, float], x: float, y: float, index: int) -> dict:
    g = {**blame(p, x, y), **backward(p, x, y)}
    rows = [  # numbers first: they stay visible in a narrow pane
        [_("a (output)"), g["a"], "", "sigmoid(v1 h1 + v2 h2 + c)"],
        ["delta", g["delta"], "", "-2 (y - a) a (1 - a)"],
        ["v1", p["v1"], g["v1"], "delta * h1"],
        ["v2", p["v2"], g["v2"], "delta * h2"],
        ["c", p["c"], g["c"], "delta"],
        ["delta1", g["delta1"], "", "delta * v1 * h1 (1 - h1)"],
        ["w1", p["w1"], g["w1"], "delta1 * x"],
        ["b1", p["b1"], g["b1"], "delta1"],
        ["delta2", g["delta2"], "", "delta * v2 * h2 (1 - h2)"],
        ["w2", p["w2"], g["w2"], "delta2 * x"],
        ["b2", p["b2"], g["b2"], "delta2"],
    ]
    return {
        "columns": [_("weight / piece"), _("value"), _("gradient"), _("formula")],
        "rows": rows,
        "title": _("back-propagation for bean {index}: x = {x:.3f}, y = {y:.0f}, h1 = {h1:.3f}, h2 = {h2:.3f}").format(
            index=index, x=x, y=y, h1=g["h1"], h2=g["h2"]),
    }


def preview(params: Params, reporter: Reporter) -> None:
    """The band beans, before the network has learned anything."""
    x, y = band_beans(params.rng, params.beans)
    reporter.view(
        "fit",
        points=[
            {"x": x[y < 0.5], "y": y[y < 0.5], "label": _("harmless")},
            {"x": x[y > 0.5], "y": y[y > 0.5], "label": _("toxic")},
        ],
        title=_("{n} beans: toxic only in the middle").format(n=len(x)),
        xlabel=_("size"),
        ylabel=_("toxic?"),
        ylim=(-0.1, 1.1),
    )


def run(params: Params, reporter: Reporter) -> dict:
    x, y = band_beans(params.rng, params.beans)
    xs, ys = x.tolist(), y.tolist()
    p = dict(zip(NAMES, params.rng.uniform(0.0, 1.0, len(NAMES)).tolist()))  # weights start U(0, 1)
    index = min(params.bean, len(xs) - 1)
    curve_x = np.linspace(0.0, 2.0, 120)
    every = max(1, params.epochs // 100)

    def show(epoch: int) -> None:
        a = forward(p, x)[2]
        h1, h2, out = forward(p, curve_x)
        reporter.view(
            "fit",
            points=[
                {"x": x[y < 0.5], "y": y[y < 0.5], "label": _("harmless")},
                {"x": x[y > 0.5], "y": y[y > 0.5], "label": _("toxic")},
            ],
            lines=[
                {"x": curve_x, "y": out, "label": _("output a")},
                {"x": curve_x, "y": h1, "label": _("hidden h1")},
                {"x": curve_x, "y": h2, "label": _("hidden h2")},
            ],
            title=f"epoch {epoch}",
            xlabel=_("size"),
            ylabel=_("toxic?"),
            ylim=(-0.1, 1.1),
        )
        reporter.view("table", **backprop_table(p, xs[index], ys[index], index))
        reporter.progress(epoch, params.epochs, loss=mean_squared_error(y, a), accuracy=accuracy(y, a))

    show(0)
    for epoch in range(1, params.epochs + 1):
        p = train_epoch(p, xs, ys, params.lr)
        if not all(math.isfinite(value) for value in p.values()):
            reporter.progress(epoch, params.epochs, loss=float("nan"))  # ends the run as diverged
        reporter.check_cancelled()
        if epoch % every == 0 or epoch == params.epochs:
            show(epoch)

    a = forward(p, x)[2]
    return {"loss": mean_squared_error(y, a), "accuracy": accuracy(y, a), **p}
