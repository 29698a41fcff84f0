"""3.3 A deep network untangles a spiral: Dense(8, relu) x 3 -> Dense(1, sigmoid)."""

from __future__ import annotations

from tutor.data.toy import two_class
from tutor.i18n import _
from tutor.keras_bridge import decision_surface, predict, start_keras, summary_table, train
from tutor.routine_types import Params, Reporter
from tutor.routines._previews import class_scatter


def spiral_network(keras, depth: int, width: int):
    """Two inputs (x, y), `depth` hidden ReLU layers of `width` neurons, one sigmoid output: P(class 1)."""
    hidden = [keras.layers.Dense(width, activation="relu") for _layer in range(depth)]
    return keras.Sequential([keras.Input((2,)), *hidden, keras.layers.Dense(1, activation="sigmoid")])


def build_model(keras, layers: int, neurons: int, lr: float):
    """The network, compiled."""
    model = spiral_network(keras, layers, neurons)
    # Mean squared error on a probability, plain SGD: the settings of the original notes.
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["accuracy"])
    return model


def preview(params: Params, reporter: Reporter) -> None:
    """The two classes of the chosen data set, before any training."""
    x, y = two_class(params.dataset, params.rng, params.points)
    reporter.view("surface", **class_scatter(
        x, y, points=50, class_names=(_("class 0"), _("class 1")),
        title=_("{dataset}: {n} points, two classes").format(dataset=params.dataset, n=len(x))))


def run(params: Params, reporter: Reporter) -> dict:
    keras = start_keras(reporter, params.seed)
    x, y = two_class(params.dataset, params.rng, params.points)  # (m, 2), (m,)
    model = build_model(keras, params.layers, params.neurons, params.lr)
    reporter.view("table", **summary_table(model))

    def show(model, epoch):
        reporter.view("surface", **decision_surface(
            model, x, y, points=50, class_names=(_("class 0"), _("class 1")),
            title=_("{dataset}, epoch {epoch}: P(class 1)").format(dataset=params.dataset, epoch=epoch)))

    show(model, 0)
    reporter.frame(0, params.epochs)  # the untrained network: where the replay starts
    history = train(
        model, x, y, epochs=params.epochs, batch_size=params.batch, reporter=reporter,
        seed=params.rng, fast=params.trainer == "fast",
        view_every=max(1, params.epochs // 50), on_view=show,
    )
    # The final model on every point (the logged accuracy averages the epoch's batches).
    accuracy = float(((predict(model, x)[:, 0] > 0.5) == y).mean())
    return {"spiral": params.dataset == "spiral",  # the challenge is about the spiral
            "accuracy": accuracy, "loss": history["loss"][-1], "parameters": int(model.count_params())}
