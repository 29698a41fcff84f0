"""1.1 Rosenblatt's neuron learns a line: y_hat = w x, one bean at a time."""

from __future__ import annotations

import numpy as np

from tutor.data.beans import toxicity_beans
from tutor.i18n import _
from tutor.routine_types import Params, Reporter


def predict(w: float, x: np.ndarray) -> np.ndarray:
    return w * x


def mean_squared_error(y: np.ndarray, y_hat: np.ndarray) -> float:
    return float(np.mean((y - y_hat) ** 2))


def learn_from_bean(w: float, x: float, y: float, lr: float) -> float:
    """Rosenblatt's rule: move w by the error, scaled by the input and the learning rate."""
    error = y - w * x
    return w + lr * error * x


def preview(params: Params, reporter: Reporter) -> None:
    """The beans, before the neuron has drawn any line."""
    x, y = toxicity_beans(params.rng, params.beans)
    reporter.view("fit", points=[{"x": x, "y": y, "label": _("beans")}],
                  title=_("{n} beans: size and toxicity").format(n=len(x)), xlabel=_("size"), ylabel=_("toxicity"))


def show_line(reporter: Reporter, x: np.ndarray, y: np.ndarray, w: float, line_x: np.ndarray, when: str) -> None:
    reporter.view(
        "fit",
        points=[{"x": x, "y": y, "label": _("beans")}],
        lines=[{"x": line_x, "y": predict(w, line_x), "label": f"y = {w:.3f} x"}],
        title=_("{when}: w = {w:.4f}").format(when=when, w=w),
        xlabel=_("size"),
        ylabel=_("toxicity"),
    )


def run(params: Params, reporter: Reporter) -> dict:
    x, y = toxicity_beans(params.rng, params.beans)
    w = params.w0
    line_x = np.array([0.0, 1.0])
    show_line(reporter, x, y, w, line_x, _("epoch 0: before any bean"))
    reporter.progress(0, params.epochs, loss=mean_squared_error(y, predict(w, x)), w=w)  # where it starts
    every = max(1, len(x) // 20)  # the first pass, where the line swings up, is shown 20 times
    for epoch in range(1, params.epochs + 1):
        for bean, (xi, yi) in enumerate(zip(x, y), start=1):  # one bean at a time, in size order
            w = learn_from_bean(w, xi, yi, params.lr)
            if epoch == 1 and bean % every == 0 and bean < len(x):
                show_line(reporter, x, y, w, line_x, _("epoch 1, bean {bean} of {n}").format(bean=bean, n=len(x)))
                reporter.frame(bean, len(x), unit="bean", w=w)
        reporter.check_cancelled()
        loss = mean_squared_error(y, predict(w, x))
        show_line(reporter, x, y, w, line_x, f"epoch {epoch}")
        reporter.progress(epoch, params.epochs, loss=loss, w=w)
    return {"w": w, "loss": mean_squared_error(y, predict(w, x))}
