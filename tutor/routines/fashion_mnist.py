"""4.4 Fashion-MNIST: the same network shape, clothes instead of digits.

Ten classes of 28x28 grey pictures (T-shirt/top, Trouser, ... Ankle boot),
read by a dense network 784 -> 392 -> 196 -> 10.

The recipe: load the pictures, flatten and scale them, build a dense network,
compile it, fit it, evaluate it on the test pictures.
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
    dense_network,
    epoch_timer,
    first,
    grid_indices,
    load_trained_model,
    make_optimizer,
    model_path,
    one_hot,
    parse_layers,
    predictions_view,
    preview_test_images,
    save_model,
    show_test_results,
)

INPUT_SHAPE = (784,)  # 28 x 28 pixels, one long row
GRID, COLUMNS = 10, 5  # test pictures in the grid of predictions, and per row


def preview(params, reporter) -> None:
    preview_test_images("fashion-mnist", params, reporter, grid_size=GRID, columns=COLUMNS)


def run(params, reporter) -> dict:
    training = params.mode == "train"

    # 1. The data: 60,000 training and 10,000 test pictures, 28x28 bytes (0 = black, 255 = white).
    (x_train, y_train), (x_test, y_test) = load_images("fashion-mnist", notify=reporter.note)
    x_train, y_train = first(x_train, y_train, params.train_limit if training else 0)
    x_test, y_test = first(x_test, y_test, params.test_limit)
    index = checked_index(int(params.index), len(x_test), "fashion-mnist")
    names = CLASS_NAMES["fashion-mnist"]

    # 2. Flatten each picture to one row of 784 pixels, scaled to [0, 1];
    #    each label becomes a one-hot vector of 10.
    inputs_test, targets_test = as_inputs(x_test, INPUT_SHAPE), one_hot(y_test)

    # 3. Build and compile the network (or reload the model a training run saved):
    #    hidden = "392,196": half, then a quarter of the 784 pixels, then 10 (softmax).
    keras = start_keras(reporter, params.seed)
    path = model_path("fashion-mnist", params.model)
    if training:
        model = dense_network(keras, parse_layers(params.hidden), activation="relu")
        updates = params.epochs * -(-len(x_train) // params.batch_size)  # weight updates in the whole run
        lr = cosine_decay(keras, params.lr, updates) if params.decay else params.lr
        model.compile(optimizer=make_optimizer(keras, params.optimizer, lr),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    else:
        model = load_trained_model(keras, path, INPUT_SHAPE, reporter)
    reporter.view("table", **summary_table(model))

    def show(model, epoch: int) -> None:
        """After each epoch: what the model says about the grid's test images."""
        shown = grid_indices(y_test, None, index, GRID, False)
        reporter.view("digits", **predictions_view(x_test, y_test, shown, predict(model, inputs_test[shown]),
                                                   names, f"epoch {epoch}: test images", COLUMNS))

    # 4. Fit: batches of batch_size, reshuffled every epoch, judged on the test pictures after each.
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
    reporter.note(f"test accuracy {test_accuracy:.4f}: {mistakes} of {len(guessed):,} test images wrong")

    return {**result, "test_loss": test_loss, "test_accuracy": test_accuracy, "test_images": len(guessed),
            "mistakes": mistakes, "parameters": int(model.count_params()), "predicted": names[int(guessed[index])],
            "truth": names[int(y_test[index])], "model_path": str(path)}
