"""3.1 Keras basics: tensors, a Sequential model, fit - linear regression y = x + noise."""

from __future__ import annotations

import numpy as np

from tutor.data.toy import line_points
from tutor.i18n import _
from tutor.keras_bridge import predict, start_keras, summary_table, train
from tutor.routine_types import Params, Reporter
from tutor.routines._numbers import fmt, plus


def axis_sums(keras) -> dict[str, list[int]]:
    """A rank-2 tensor summed along each axis: axis 0 runs down the rows, axis 1 along them."""
    t = keras.ops.convert_to_tensor([[1, 2], [3, 4]])  # shape (2, 2)
    return {"axis0": np.asarray(keras.ops.sum(t, axis=0)).tolist(),  # [4, 6]
            "axis1": np.asarray(keras.ops.sum(t, axis=1)).tolist()}  # [3, 7]


def line_model(keras):
    """One input, one Dense unit, no activation: y_hat = w x + b, a line (not compiled yet)."""
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="linear")])


def build_model(keras, lr: float):
    """The line, compiled: plain SGD on the mean squared error."""
    model = line_model(keras)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def line(model) -> tuple[float, float]:
    """The learned line's slope w and intercept b."""
    kernel, bias = model.get_weights()  # (1, 1), (1,)
    return float(kernel[0, 0]), float(bias[0])


def preview(params: Params, reporter: Reporter) -> None:
    """The points the line will be fitted to."""
    x, y = line_points(params.rng, params.points, params.noise)
    reporter.view("fit", points=[{"x": x[:, 0], "y": y, "label": _("data")}],
                  title=_("{n} points to fit a line to").format(n=len(x)), xlabel="x", ylabel="y")


def run(params: Params, reporter: Reporter) -> dict:
    keras = start_keras(reporter, params.seed)
    sums = axis_sums(keras)
    reporter.note(_("sum of [[1, 2], [3, 4]] along axis 0 = {axis0}, along axis 1 = {axis1}").format(**sums))
    x, y = line_points(params.rng, params.points, params.noise)  # (m, 1), (m,)
    model = build_model(keras, params.lr)
    reporter.view("table", **summary_table(model))
    line_x = np.array([[0.0], [1.0]], dtype="float32")

    def show(model, epoch):
        w, b = line(model)
        reporter.view("fit", points=[{"x": x[:, 0], "y": y, "label": _("data")}],
                      lines=[{"x": line_x[:, 0], "y": predict(model, line_x)[:, 0],
                              "label": f"y = {fmt(w, '.3f')} x {plus(b, '.3f')}"}],
                      title=f"epoch {epoch}", xlabel="x", ylabel="y")

    batch = len(x) if params.batch == 0 else params.batch  # 0 means the whole set at once
    show(model, 0)
    reporter.frame(0, params.epochs)  # the untrained network: where the replay starts
    history = train(
        model, x, y, epochs=params.epochs, batch_size=batch, reporter=reporter,
        seed=params.rng, fast=params.trainer == "fast",
        view_every=max(1, params.epochs // 50), on_view=show,
    )
    w, b = line(model)
    at_one = float(predict(model, np.array([[1.0]]))[0, 0])
    return {"prediction_at_1": at_one, "w": w, "b": b, "loss": history["loss"][-1],
            "updates": params.epochs * -(-len(x) // batch)}
