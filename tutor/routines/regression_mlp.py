"""3.6 Predicting a number: house prices with Dense(100, relu) -> Dense(1)."""

from __future__ import annotations

import numpy as np

from tutor.data.housing import housing_split
from tutor.i18n import _
from tutor.keras_bridge import predict, start_keras, summary_table, train
from tutor.routine_types import Params, Reporter


def build_model(keras, features: int, hidden: int, lr: float):
    """13 facts -> `hidden` ReLU neurons -> one number with no activation: any price can come out."""
    model = keras.Sequential([
        keras.Input((features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mse")
    return model


def mean_squared_error(y: np.ndarray, y_hat: np.ndarray) -> float:
    return float(np.mean((y - y_hat) ** 2))


def run(params: Params, reporter: Reporter) -> dict:
    keras = start_keras(reporter, params.seed)
    x_train, y_train, x_test, y_test, origin = housing_split(params.rng, params.test_fraction, params.data)
    reporter.note(_("Boston housing from {origin}: {train} districts to train on, {test} to test").format(
        origin=origin, train=len(x_train), test=len(x_test)))
    model = build_model(keras, x_train.shape[1], params.hidden, params.lr)
    reporter.view("table", **summary_table(model))
    # The baseline every model must beat: always predict the training mean.
    baseline = mean_squared_error(y_test, np.full_like(y_test, y_train.mean()))
    perfect = [5.0, 50.0]

    def show(model, epoch):
        reporter.view("fit", points=[
            {"x": y_train, "y": predict(model, x_train)[:, 0], "label": _("train")},
            {"x": y_test, "y": predict(model, x_test)[:, 0], "label": _("test")},
        ], lines=[{"x": perfect, "y": perfect, "label": _("perfect")}],
            title=_("epoch {epoch}: predicted vs actual price").format(epoch=epoch),
            xlabel=_("actual (k$)"), ylabel=_("predicted (k$)"))

    show(model, 0)
    reporter.frame(0, params.epochs)  # the untrained network: where the replay starts
    train(
        model, x_train, y_train, epochs=params.epochs, batch_size=params.batch, reporter=reporter,
        seed=params.rng, fast=params.trainer == "fast",
        validation_data=(x_test, y_test), val_name="test",
        view_every=max(1, params.epochs // 50), on_view=show,
    )
    train_mse = mean_squared_error(y_train, predict(model, x_train)[:, 0])
    test_mse = mean_squared_error(y_test, predict(model, x_test)[:, 0])
    return {"train_mse": train_mse, "test_mse": test_mse, "baseline_mse": baseline,
            "test_rmse": float(np.sqrt(test_mse))}
