"""3.5 A quality-check classifier: Dense(20, sigmoid) -> Dense(1, sigmoid), judged on a test split."""

from __future__ import annotations

from tutor.data.toy import quality_check, train_test_split
from tutor.i18n import _
from tutor.keras_bridge import decision_surface, predict, start_keras, summary_table, train
from tutor.routine_types import Params, Reporter
from tutor.routines._previews import class_scatter


def quality_network(keras, hidden: int):
    """Two measurements -> `hidden` sigmoid neurons -> one sigmoid output, P(pass) (not compiled yet)."""
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(hidden, activation="sigmoid"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])


def build_model(keras, hidden: int):
    """The network, compiled."""
    model = quality_network(keras, hidden)
    # A sigmoid output is a probability: binary cross-entropy is its natural loss.
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def accuracy(model, x, y) -> float:
    return float(((predict(model, x)[:, 0] > 0.5) == y).mean())


def preview(params: Params, reporter: Reporter) -> None:
    """The training parts, pass and fail, before any training."""
    x, y = quality_check(params.rng, params.samples)
    x_train, y_train, _x_test, _y_test = train_test_split(params.rng, x, y, params.test_fraction)
    reporter.view("surface", **class_scatter(
        x_train, y_train, bounds=((0.0, 0.0), (1.0, 1.0)), step=0.01, class_names=(_("fail"), _("pass")),
        title=_("{n} training parts: pass and fail").format(n=len(x_train)),
        xlabel=_("measurement 1"), ylabel=_("measurement 2")))


def run(params: Params, reporter: Reporter) -> dict:
    keras = start_keras(reporter, params.seed)
    x, y = quality_check(params.rng, params.samples)  # (m, 2), (m,)
    x_train, y_train, x_test, y_test = train_test_split(params.rng, x, y, params.test_fraction)
    model = build_model(keras, params.hidden)
    reporter.view("table", **summary_table(model))

    def show(model, epoch):
        # The regions over a 0.01 grid; the training parts drawn on top.
        reporter.view("surface", **decision_surface(
            model, x_train, y_train, bounds=((0.0, 0.0), (1.0, 1.0)), step=0.01,
            class_names=(_("fail"), _("pass")), title=_("epoch {epoch}: P(pass), training parts").format(epoch=epoch),
            xlabel=_("measurement 1"), ylabel=_("measurement 2")))

    show(model, 0)
    reporter.frame(0, params.epochs)  # the untrained network: where the replay starts
    train(
        model, x_train, y_train, epochs=params.epochs, batch_size=params.batch, reporter=reporter,
        seed=params.rng, fast=params.trainer == "fast",
        validation_data=(x_test, y_test), val_name="test",
        view_every=max(1, params.epochs // 50), on_view=show,
    )
    return {"train_accuracy": accuracy(model, x_train, y_train), "test_accuracy": accuracy(model, x_test, y_test),
            "train_samples": len(x_train), "test_samples": len(x_test)}
