"""4.4 Fashion-MNIST: the same network shape, clothes instead of digits.

Ten classes of 28x28 grey pictures (T-shirt/top, Trouser, ... Ankle boot),
read by a dense network 784 -> 392 -> 196 -> 10.

The recipe: load the pictures, flatten and scale them, build a dense network,
compile it, fit it, evaluate it on the test pictures.
"""

from __future__ import annotations

from tutor.data.images import CLASS_NAMES, load_images
from tutor.i18n import _
from tutor.keras_bridge import reporter_callback, start_keras
from tutor.payloads import predict, summary_table
from tutor.routine_types import Params, Reporter
from tutor.routines._images_common import (
    as_inputs,
    checked_index,
    dense_network,
    epoch_timer,
    first,
    judged_on_test,
    kept_when_stopped,
    load_trained_model,
    model_path,
    note_training,
    one_hot,
    optimizer_for,
    parse_layers,
    preview_test_images,
    show_grid,
    show_test_results,
    trained,
)

DATASET = "fashion-mnist"  # ten kinds of clothes, shoes and bags
INPUT_SHAPE = (784,)  # 28 x 28 pixels, one long row
GRID, COLUMNS = 10, 5  # test pictures in the grid of predictions, and per row


def preview(params: Params, reporter: Reporter) -> None:
    preview_test_images(DATASET, params, reporter, grid_size=GRID, columns=COLUMNS)


def run(params: Params, reporter: Reporter) -> dict:
    training = params.mode == "train"

    # 1. The data: 60,000 training and 10,000 test pictures, 28x28 bytes (0 = black, 255 = white).
    (x_train, y_train), (x_test, y_test) = load_images(DATASET, notify=reporter.note)
    x_train, y_train = first(x_train, y_train, params.train_limit if training else 0)
    x_test, y_test = first(x_test, y_test, params.test_limit)
    index = checked_index(int(params.index), len(x_test), DATASET)
    names = [_(name) for name in CLASS_NAMES[DATASET]]  # the names the views show, in the learner's language

    # 2. Flatten each picture to one row of 784 pixels, scaled to [0, 1];
    #    each label becomes a one-hot vector of 10.
    inputs_test, targets_test = as_inputs(x_test, INPUT_SHAPE), one_hot(y_test)

    # 3. Build and compile the network (or reload the model a training run saved):
    #    hidden = "392,196": half, then a quarter of the 784 pixels, then 10 (softmax).
    keras = start_keras(reporter, params.seed)
    path = model_path("fashion-mnist", params.model)
    if training:
        model = dense_network(keras, parse_layers(params.hidden), activation="relu")
        model.compile(optimizer=optimizer_for(keras, params, len(x_train)),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    else:
        model = load_trained_model(keras, path, INPUT_SHAPE, reporter)
    reporter.view("table", **summary_table(model))

    def show(model, epoch: int) -> None:
        """After each epoch: what the model says about the grid's test images."""
        show_grid(reporter, model, x_test, y_test, inputs_test, names, index, epoch, grid_size=GRID, columns=COLUMNS)

    # 4. Fit: batches of batch_size, reshuffled every epoch, judged on the test pictures after each.
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

    english = CLASS_NAMES[DATASET]  # the result keeps the names as records do: in English
    return {**result, "parameters": int(model.count_params()),
            "predicted": english[int(probabilities[index].argmax())], "truth": english[int(y_test[index])],
            "model_path": str(path)}
