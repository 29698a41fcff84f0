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
from tutor.keras_bridge import reporter_callback, start_keras
from tutor.payloads import predict, summary_table
from tutor.reporting import Cancelled
from tutor.routines._images_common import (
    as_inputs,
    checked_index,
    cosine_decay,
    epoch_timer,
    first,
    grid_indices,
    load_trained_model,
    make_optimizer,
    model_path,
    one_hot,
    predictions_view,
    preview_test_images,
    save_model,
    show_test_results,
)

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


def show_filters(model, image: np.ndarray, index: int, reporter) -> None:
    filters = first_layer_filters(model)
    maps = feature_maps(model, image)
    reporter.view(
        "heatmaps",
        maps=[{"title": f"filter {i + 1}", "values": f} for i, f in enumerate(filters)]
        + [{"title": f"map {i + 1}", "values": m} for i, m in enumerate(maps)],
        columns=len(filters),
        title=f"top: conv1's 5x5 filters; below: what each makes of test image #{index}",
    )


def preview(params, reporter) -> None:
    preview_test_images("mnist", params, reporter, grid_size=GRID, columns=COLUMNS)


def run(params, reporter) -> dict:
    training = params.mode == "train"

    # 1. The data: 60,000 training and 10,000 test digits, 28x28 bytes (0 = paper, 255 = ink).
    (x_train, y_train), (x_test, y_test) = load_images("mnist", notify=reporter.note)
    x_train, y_train = first(x_train, y_train, params.train_limit if training else 0)
    x_test, y_test = first(x_test, y_test, params.test_limit)
    index = checked_index(int(params.index), len(x_test), "mnist")
    names = CLASS_NAMES["mnist"]

    # 2. Scale the pixels to [0, 1] in the shape the model reads, (28, 28, 1);
    #    each label becomes a one-hot vector of 10.
    inputs_test, targets_test = as_inputs(x_test, INPUT_SHAPE), one_hot(y_test)

    # 3. Build and compile LeNet-5 (or reload the model a training run saved).
    keras = start_keras(reporter, params.seed)
    path = model_path("lenet5", params.model)
    if training:
        model = lenet5(keras)
        updates = params.epochs * -(-len(x_train) // params.batch_size)  # weight updates in the whole run
        lr = cosine_decay(keras, params.lr, updates) if params.decay else params.lr
        model.compile(optimizer=make_optimizer(keras, params.optimizer, lr),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    else:
        model = load_trained_model(keras, path, INPUT_SHAPE, reporter)
    reporter.view("table", **summary_table(model))

    def show(model, epoch: int) -> None:
        """After each epoch: what the model says about the grid's test images, and its filters."""
        shown = grid_indices(y_test, None, index, GRID, False)
        reporter.view("digits", **predictions_view(x_test, y_test, shown, predict(model, inputs_test[shown]),
                                                   names, f"epoch {epoch}: test images", COLUMNS))
        show_filters(model, inputs_test[index], index, reporter)

    # 4. Fit: batches of batch_size, reshuffled every epoch, judged on the test digits after each.
    result: dict = {"mode": params.mode}
    if training:
        inputs_train, targets_train = as_inputs(x_train, INPUT_SHAPE), one_hot(y_train)
        reporter.note(f"training on {len(inputs_train):,} images {inputs_train.shape[1:]} scaled to [0, 1], "
                      f"testing on {len(inputs_test):,}; labels one-hot {targets_train.shape[1:]}")
        progress = reporter_callback(reporter, params.epochs, view_every=1, on_view=show,
                                     val_name="test", batch_progress=True)
        try:
            history = model.fit(inputs_train, targets_train, batch_size=params.batch_size, epochs=params.epochs,
                                validation_data=(inputs_test, targets_test), shuffle=True, verbose=0,
                                callbacks=[epoch_timer(keras), progress]).history
        except Cancelled:  # stopped: keep what was learned so far, then end the run
            if progress.last_epoch:
                save_model(model, path, reporter, what=f"model after epoch {progress.last_epoch}")
            raise
        result["model_saved"] = save_model(model, path, reporter)
        result.update(train_loss=history["loss"][-1], train_accuracy=history["accuracy"][-1],
                      epochs=len(history["loss"]), seconds_per_epoch=float(np.mean(history["epoch_seconds"])),
                      train_images=len(inputs_train))

    # 5. Evaluate: the model's ten probabilities for every test image; its guess is the largest.
    probabilities = predict(model, inputs_test)  # (n_test, 10)
    guessed = probabilities.argmax(axis=1)
    right = int(np.sum(guessed == y_test))
    test_accuracy, mistakes = right / len(guessed), len(guessed) - right
    reporter.check_cancelled()
    if training:
        test_loss = float(history["val_loss"][-1])
    else:  # Keras' own evaluation, so the loss is computed exactly as in training
        test_loss = float(model.evaluate(inputs_test, targets_test, batch_size=1024, verbose=0, return_dict=True,
                                         callbacks=[reporter_callback(reporter, 1)])["loss"])
        # Not recorded: one point is no curve, so the loss view stays empty.
        reporter.progress(1, 1, unit="evaluation", record=False, test_loss=test_loss, test_accuracy=test_accuracy)
    show_test_results(reporter, x_test, y_test, probabilities, names, index, grid_size=GRID, columns=COLUMNS,
                      mistakes=params.mistakes)
    show_filters(model, inputs_test[index], index, reporter)
    reporter.note(f"test accuracy {test_accuracy:.4f}: {mistakes} of {len(guessed):,} test images wrong")

    return {**result, "test_loss": test_loss, "test_accuracy": test_accuracy, "test_images": len(guessed),
            "mistakes": mistakes, "parameters": int(model.count_params()), "predicted": names[int(guessed[index])],
            "truth": names[int(y_test[index])], "model_path": str(path)}
