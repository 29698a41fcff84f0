"""2.2 A sigmoid neuron classifies beans, trained bean by bean with the chain rule.

    z = w x + b,   a = sigmoid(z),   e = (y - a)^2

    de/dw = de/da * da/dz * dz/dw = -2 (y - a) * a (1 - a) * x
    de/db = de/da * da/dz * dz/db = -2 (y - a) * a (1 - a) * 1

The update runs once per bean (stochastic gradient descent), 100 beans x
5,000 epochs = 500,000 updates. Each update depends on the one before, so it
cannot be vectorised across beans; instead `gradients` works on plain
Python floats (no NumPy call per bean), which is what makes it fast. Views
are refreshed every few epochs, the loss recorded at the same moments.
"""

from __future__ import annotations

import math

import numpy as np

from tutor.data.beans import band_beans, threshold_beans
from tutor.i18n import _
from tutor.routine_types import Params, Reporter
from tutor.routines._numbers import fmt, plus


def sigmoid(z):
    """1 / (1 + e^-z), for NumPy arrays; the 0..1 squash of the neuron."""
    z = np.asarray(z, dtype=float)
    # exp of a large positive number overflows: use the form whose exp is <= 1.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_scalar(z: float) -> float:
    """The same for one float (math.exp is ~10x faster than NumPy on scalars)."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def forward(w: float, b: float, x: np.ndarray) -> np.ndarray:
    return sigmoid(w * x + b)


def mean_squared_error(y: np.ndarray, a: np.ndarray) -> float:
    return float(np.mean((y - a) ** 2))


def accuracy(y: np.ndarray, a: np.ndarray) -> float:
    """Share of beans on the right side of 0.5."""
    return float(np.mean((a > 0.5) == (y > 0.5)))


def chain_rule(w: float, b: float, x: float, y: float) -> dict[str, float]:
    """Every factor of the gradient for one bean, named as on the lesson page."""
    z = w * x + b
    a = sigmoid_scalar(z)
    de_da = -2.0 * (y - a)
    da_dz = a * (1.0 - a)
    return {
        "z": z, "a": a, "e": (y - a) ** 2,
        "de_da": de_da, "da_dz": da_dz, "dz_dw": x, "dz_db": 1.0,
        "de_dw": de_da * da_dz * x, "de_db": de_da * da_dz,
    }


def gradients(w: float, b: float, x: float, y: float) -> tuple[float, float]:
    """de/dw and de/db of one bean's error e = (y - sigmoid(w x + b))^2, by the chain rule."""
    a = sigmoid_scalar(w * x + b)
    delta = -2.0 * (y - a) * a * (1.0 - a)  # de/dz = de/da * da/dz
    return delta * x, delta  # dz/dw = x, dz/db = 1


def train_epoch(w: float, b: float, xs: list[float], ys: list[float], lr: float) -> tuple[float, float]:
    """One pass over the beans, one gradient step per bean."""
    for x, y in zip(xs, ys):
        dw, db = gradients(w, b, x, y)
        w -= lr * dw
        b -= lr * db
    return w, b


def make_beans(params: Params) -> tuple[np.ndarray, np.ndarray]:
    if params.data == "band":
        return band_beans(params.rng, params.beans)
    return threshold_beans(params.rng, params.beans)


def chain_rule_table(w: float, b: float, x: float, y: float, lr: float, index: int) -> dict:
    f = chain_rule(w, b, x, y)
    rows = [  # value before formula: the numbers stay visible in a narrow pane
        [_("x (size)"), x, ""],
        [_("y (toxic?)"), y, ""],
        ["z", f["z"], "w x + b"],
        ["a", f["a"], "sigmoid(z)"],
        ["e", f["e"], "(y - a)^2"],
        ["de/da", f["de_da"], "-2 (y - a)"],
        ["da/dz", f["da_dz"], "a (1 - a)"],
        ["dz/dw", f["dz_dw"], "x"],
        ["dz/db", f["dz_db"], "1"],
        ["de/dw", f["de_dw"], "de/da * da/dz * dz/dw"],
        ["de/db", f["de_db"], "de/da * da/dz * dz/db"],
        [_("new w"), w - lr * f["de_dw"], "w - lr * de/dw"],
        [_("new b"), b - lr * f["de_db"], "b - lr * de/db"],
    ]
    return {"columns": [_("piece"), _("value"), _("formula")], "rows": rows,
            "title": _("the chain rule for bean {index} (w = {w}, b = {b})").format(
                index=index, w=fmt(w, ".4f"), b=fmt(b, ".4f"))}


def bean_groups(x: np.ndarray, y: np.ndarray) -> list[dict]:
    return [{"x": x[y < 0.5], "y": y[y < 0.5], "label": _("harmless")},
            {"x": x[y > 0.5], "y": y[y > 0.5], "label": _("toxic")}]


def preview(params: Params, reporter: Reporter) -> None:
    """The beans, harmless and toxic, before the neuron has learned anything."""
    x, y = make_beans(params)
    reporter.view("fit", points=bean_groups(x, y),
                  title=_("{n} {data} beans: toxic or not").format(n=len(x), data=params.data),
                  xlabel=_("size"), ylabel=_("toxic?"), ylim=(-0.1, 1.1))


def run(params: Params, reporter: Reporter) -> dict:
    x, y = make_beans(params)  # (m,), (m,)
    xs, ys = x.tolist(), y.tolist()  # plain floats for the tight loop
    index = min(params.bean, len(xs) - 1)
    curve_x = np.linspace(float(x.min()), float(x.max()), 120)
    w, b = params.w0, params.b0
    every = max(1, params.epochs // 100)  # about 100 redraws, whatever the epoch count

    def show(epoch: int) -> None:
        a = forward(w, b, x)
        loss = mean_squared_error(y, a)
        reporter.view(
            "fit",
            points=bean_groups(x, y),
            lines=[{"x": curve_x, "y": forward(w, b, curve_x), "label": f"sigmoid({fmt(w, '.2f')} x {plus(b)})"}],
            title=f"epoch {epoch}: w = {fmt(w, '.3f')}, b = {fmt(b, '.3f')}",
            xlabel=_("size"), ylabel=_("toxic?"), ylim=(-0.1, 1.1),
        )
        reporter.view("table", **chain_rule_table(w, b, xs[index], ys[index], params.lr, index))
        reporter.progress(epoch, params.epochs, loss=loss, accuracy=accuracy(y, a))

    show(0)
    for epoch in range(1, params.epochs + 1):
        w, b = train_epoch(w, b, xs, ys, params.lr)
        if not (math.isfinite(w) and math.isfinite(b)):
            reporter.progress(epoch, params.epochs, loss=float("nan"))  # ends the run as diverged
        reporter.check_cancelled()
        if epoch % every == 0 or epoch == params.epochs:
            show(epoch)

    a = forward(w, b, x)
    return {
        "threshold_beans": params.data == "threshold",  # the challenge is about these beans
        "w": w, "b": b,
        "loss": mean_squared_error(y, a),
        "accuracy": accuracy(y, a),
        "border": -b / w if w else None,  # the size where a = 0.5
    }
