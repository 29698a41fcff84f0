"""3.4 Random labels: a network memorises noise - training accuracy rises, held-out stays at chance."""

from __future__ import annotations

import numpy as np

from tutor.data.toy import random_labels
from tutor.i18n import _
from tutor.keras_bridge import predict, start_keras, summary_table, train
from tutor.routine_types import Params, Reporter


def build_model(keras, features: int, hidden: int, classes: int):
    """features -> Dense(hidden, relu) -> Dense(classes, softmax): one probability per class."""
    model = keras.Sequential([
        keras.Input((features,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(classes, activation="softmax"),
    ])
    # Softmax outputs go with categorical cross-entropy (labels one-hot).
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def accuracy(model, x: np.ndarray, labels: np.ndarray) -> float:
    """Share of samples whose most probable class is the true label."""
    return float((predict(model, x).argmax(axis=1) == labels).mean())


def run(params: Params, reporter: Reporter) -> dict:
    keras = start_keras(reporter, params.seed)
    classes = 10
    # The held-out samples come from the same recipe: random features, random labels.
    x, labels = random_labels(params.rng, params.samples + params.held_out, params.features, classes)
    x_train, x_held = x[: params.samples], x[params.samples:]
    l_train, l_held = labels[: params.samples], labels[params.samples:]
    y_train = keras.utils.to_categorical(l_train, classes)  # (m, 10) one-hot
    y_held = keras.utils.to_categorical(l_held, classes)
    model = build_model(keras, params.features, params.hidden, classes)
    reporter.view("table", **summary_table(model))

    def show(model, epoch):
        reporter.view("bars", labels=[_("train"), _("held-out"), _("chance")],
                      values=[accuracy(model, x_train, l_train), accuracy(model, x_held, l_held), 1 / classes],
                      ylim=(0.0, 1.0), ylabel=_("accuracy"), title=_("epoch {epoch}: accuracy").format(epoch=epoch))

    train(
        model, x_train, y_train, epochs=params.epochs, batch_size=params.batch, reporter=reporter,
        seed=params.rng, fast=params.trainer == "fast",
        validation_data=(x_held, y_held), val_name="held_out",
        view_every=max(1, params.epochs // 50), on_view=show,
    )
    train_acc, held_acc = accuracy(model, x_train, l_train), accuracy(model, x_held, l_held)
    return {"train_accuracy": train_acc, "held_out_accuracy": held_acc, "gap": train_acc - held_acc}
