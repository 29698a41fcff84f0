"""3.2 Beans with two features: Dense(2, sigmoid) -> Dense(1, sigmoid), in Keras."""

from __future__ import annotations

from tutor.data.toy import two_feature_beans
from tutor.i18n import _
from tutor.keras_bridge import decision_surface, predict, start_keras, summary_table, train
from tutor.routine_types import Params, Reporter
from tutor.routines._previews import class_scatter


def build_model(keras, hidden: int, lr: float):
    """Two inputs (size, colour) -> `hidden` sigmoid neurons -> one sigmoid: P(toxic)."""
    model = keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(hidden, activation="sigmoid"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse", metrics=["accuracy"])
    return model


def preview(params: Params, reporter: Reporter) -> None:
    """The beans (size, colour depth), harmless and toxic, before any training."""
    x, y = two_feature_beans(params.rng, params.beans)
    reporter.view("surface", **class_scatter(
        x, y, bounds=((0.0, 0.0), (1.0, 1.0)), points=50, class_names=(_("harmless"), _("toxic")),
        title=_("{n} beans: harmless and toxic").format(n=len(x)), xlabel=_("size"), ylabel=_("colour depth")))


def run(params: Params, reporter: Reporter) -> dict:
    keras = start_keras(reporter, params.seed)
    x, y = two_feature_beans(params.rng, params.beans)  # (m, 2), (m,)
    model = build_model(keras, params.hidden, params.lr)
    reporter.view("table", **summary_table(model))

    def show(model, epoch):
        reporter.view("surface", **decision_surface(
            model, x, y, bounds=((0.0, 0.0), (1.0, 1.0)), points=50, class_names=(_("harmless"), _("toxic")),
            title=_("epoch {epoch}: P(toxic)").format(epoch=epoch), xlabel=_("size"), ylabel=_("colour depth")))

    show(model, 0)
    reporter.frame(0, params.epochs)  # the untrained network: where the replay starts
    history = train(
        model, x, y, epochs=params.epochs, batch_size=params.batch, reporter=reporter,
        seed=params.rng, fast=params.trainer == "fast",
        view_every=max(1, params.epochs // 50), on_view=show,
    )
    accuracy = float(((predict(model, x)[:, 0] > 0.5) == y).mean())  # the final model on every bean
    return {"accuracy": accuracy, "loss": history["loss"][-1]}
