"""4.3 LeNet-5: two small convolutions read digits better than a huge dense net.

The model is Yann LeCun's 1998 network, adapted to MNIST's 28x28 images
(the original took 32x32): 6 filters of 5x5, average pooling, 16 filters of
5x5, average pooling, then dense layers 120 -> 84 -> 10.

The recipe: load the digits, scale them, build LeNet-5, compile it, fit it,
evaluate it on the test digits - and look at what its first layer learned.
"""

from __future__ import annotations

import numpy as np

from tutor.data.images import CLASS_NAMES, load_images
from tutor.i18n import _
from tutor.keras_bridge import reporter_callback, start_keras
from tutor.payloads import predict, summary_table
from tutor.routine_types import Params, Reporter
from tutor.routines._images_common import (
    as_inputs,
    checked_index,
    epoch_timer,
    first,
    judged_on_test,
    kept_when_stopped,
    load_trained_model,
    model_path,
    note_training,
    one_hot,
    optimizer_for,
    preview_test_images,
    show_grid,
    show_test_results,
    trained,
)

DATASET = "mnist"  # handwritten digits 0-9
INPUT_SHAPE = (28, 28, 1)  # height, width, one grey channel
GRID, COLUMNS = 24, 8  # test images in the grid of predictions, and per row


def lenet5(keras):
    """LeNet-5 for 28x28x1 digits, not compiled yet: two convolutions with pooling, three dense layers."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(INPUT_SHAPE, name="image"),
        # 6 filters of 5x5 slide over the image: (28, 28, 1) -> (24, 24, 6)
        layers.Conv2D(6, 5, strides=1, padding="valid", activation="relu", name="conv1"),
        # average each 2x2 square: (24, 24, 6) -> (12, 12, 6)
        layers.AveragePooling2D(2, name="pool1"),
        # 16 filters, each reading all 6 maps: (12, 12, 6) -> (8, 8, 16)
        layers.Conv2D(16, 5, padding="valid", activation="relu", name="conv2"),
        layers.AveragePooling2D(2, name="pool2"),  # -> (4, 4, 16)
        layers.Flatten(name="flatten"),  # -> (256,)
        layers.Dense(120, activation="relu", name="dense120"),
        layers.Dense(84, activation="relu", name="dense84"),
        layers.Dense(10, activation="softmax", name="digit"),
    ], name="lenet5")


def first_layer_filters(model) -> np.ndarray:
    """The 6 learned 5x5 filters of conv1: kernel (5, 5, 1, 6) -> (6, 5, 5)."""
    kernel = np.asarray(model.layers[0].kernel)  # conv1, by place: a learner's model may name it otherwise
    return np.transpose(kernel[:, :, 0, :], (2, 0, 1))


def feature_maps(model, image: np.ndarray) -> np.ndarray:
    """What conv1 makes of one image (28, 28, 1): 6 maps (6, 24, 24), one per filter."""
    maps = np.asarray(model.layers[0](image[None], training=False))[0]  # conv1: (24, 24, 6)
    return np.transpose(maps, (2, 0, 1))


def show_filters(model, image: np.ndarray, index: int, reporter: Reporter) -> None:
    filters = first_layer_filters(model)
    maps = feature_maps(model, image)
    reporter.view(
        "heatmaps",
        maps=[{"title": _("filter {number}").format(number=i + 1), "values": f} for i, f in enumerate(filters)]
        + [{"title": _("map {number}").format(number=i + 1), "values": m} for i, m in enumerate(maps)],
        columns=len(filters),
        title=_("top: conv1's 5x5 filters; below: what each makes of test image #{index}").format(index=index),
    )


def preview(params: Params, reporter: Reporter) -> None:
    preview_test_images(DATASET, params, reporter, grid_size=GRID, columns=COLUMNS)


def run(params: Params, reporter: Reporter) -> dict:
    training = params.mode == "train"

    # 1. The data: 60,000 training and 10,000 test digits, 28x28 bytes (0 = paper, 255 = ink).
    (x_train, y_train), (x_test, y_test) = load_images(DATASET, notify=reporter.note)
    x_train, y_train = first(x_train, y_train, params.train_limit if training else 0)
    x_test, y_test = first(x_test, y_test, params.test_limit)
    index = checked_index(int(params.index), len(x_test), DATASET)
    names = CLASS_NAMES[DATASET]

    # 2. Scale the pixels to [0, 1] in the shape the model reads, (28, 28, 1);
    #    each label becomes a one-hot vector of 10.
    inputs_test, targets_test = as_inputs(x_test, INPUT_SHAPE), one_hot(y_test)

    # 3. Build and compile LeNet-5 (or reload the model a training run saved).
    keras = start_keras(reporter, params.seed)
    path = model_path("lenet5", params.model)
    if training:
        model = lenet5(keras)
        model.compile(optimizer=optimizer_for(keras, params, len(x_train)),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    else:
        model = load_trained_model(keras, path, INPUT_SHAPE, reporter)
    reporter.view("table", **summary_table(model))

    def show(model, epoch: int) -> None:
        """After each epoch: what the model says about the grid's test images, and its filters."""
        show_grid(reporter, model, x_test, y_test, inputs_test, names, index, epoch, grid_size=GRID, columns=COLUMNS)
        show_filters(model, inputs_test[index], index, reporter)

    # 4. Fit: batches of batch_size, reshuffled every epoch, judged on the test digits after each.
    result: dict = {"mode": params.mode}
    history = None
    if training:
        inputs_train, targets_train = as_inputs(x_train, INPUT_SHAPE), one_hot(y_train)
        note_training(reporter, inputs_train, targets_train, len(inputs_test))
        progress = reporter_callback(reporter, params.epochs, view_every=1, on_view=show,
                                     val_name="test", batch_progress=True)
        with kept_when_stopped(model, path, reporter, progress):  # Stop: the model so far is saved
            history = model.fit(inputs_train, targets_train, batch_size=params.batch_size, epochs=params.epochs,
                                validation_data=(inputs_test, targets_test), shuffle=True, verbose=0,
                                callbacks=[epoch_timer(keras), progress]).history
        result.update(trained(model, path, reporter, history, len(inputs_train)))

    # 5. Evaluate: the model's ten probabilities for every test image; its guess is the largest.
    probabilities = predict(model, inputs_test)  # (n_test, 10)
    result.update(judged_on_test(model, probabilities, y_test, inputs_test, targets_test, history, reporter))
    show_test_results(reporter, x_test, y_test, probabilities, names, index, grid_size=GRID, columns=COLUMNS,
                      mistakes=params.mistakes)
    show_filters(model, inputs_test[index], index, reporter)

    return {**result, "parameters": int(model.count_params()), "predicted": names[int(probabilities[index].argmax())],
            "truth": names[int(y_test[index])], "model_path": str(path)}
