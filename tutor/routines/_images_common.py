"""Chapter 4's shared helpers: images as numbers, saved models, views of predictions, and the
bookkeeping around each step of the recipe.

Each lesson's routine (``mnist_mlp``, ``lenet5``, ``fashion_mnist``) is the
whole recipe - load, scale, build, compile, fit, evaluate - read top to
bottom in the Code tab: it says which images, which model, and makes the
Keras calls itself. What they share lives here: small functions that turn
pictures into numbers, choose the optimizer, keep a stopped run's model,
judge the model on the test images, save and reload a model safely, and
build the views of what a model predicts. Keras is passed in, never
imported here.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tutor.data.images import CLASS_NAMES, load_images
from tutor.data.safe import check_zip_size, regular_file, show
from tutor.files import atomic_path
from tutor.i18n import _
from tutor.keras_bridge import reporter_callback
from tutor.paths import user_data_dir
from tutor.payloads import predict
from tutor.reporting import Cancelled, TutorError
from tutor.routine_types import Params, Reporter

CLASSES = 10
SIDE = 28
GRID_COLUMNS = 8


# ---------------------------------------------------------------- images as numbers


def first(images: np.ndarray, labels: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Only the first ``limit`` images and labels (0: all of them): quicker runs."""
    return (images[:limit], labels[:limit]) if limit else (images, labels)


def checked_index(index: int, test_images: int, dataset: str) -> int:
    """The test image the lesson looks at, checked against the test set's size."""
    if test_images == 0:
        raise TutorError(_("the {dataset} test set is empty: there are no test images to show or judge").format(
            dataset=dataset))
    if not 0 <= index < test_images:
        raise TutorError(_("index {index} is outside the test set (0 to {last})").format(
            index=index, last=test_images - 1))
    return index


def scale_pixels(images: np.ndarray) -> np.ndarray:
    """0..255 bytes -> float32 in [0, 1]: small inputs keep the first layer's sums tame."""
    scaled = images.astype(np.float32)
    scaled /= np.float32(255.0)
    return scaled


def flatten(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) -> (n, 784): a dense layer wants one long row of pixels per image."""
    return images.reshape(len(images), -1)


def one_hot(labels: np.ndarray, classes: int = CLASSES) -> np.ndarray:
    """5 -> [0,0,0,0,0,1,0,0,0,0]: the target the softmax output should match."""
    return np.eye(classes, dtype=np.float32)[np.asarray(labels, dtype=np.intp)]


def as_inputs(images: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Scaled pixels in the shape the model's input expects: (784,) or (28, 28, 1)."""
    return scale_pixels(images).reshape((len(images), *shape))


# ---------------------------------------------------------------- model pieces


OPTIMIZERS = ("sgd", "adam", "rmsprop")


def cosine_decay(keras, lr: float, steps: int):
    """The learning rate falls from ``lr`` to 0 along half a cosine over ``steps`` updates.

    Big steps early to get near a good minimum fast, small ones at the end to
    settle in it instead of bouncing around.
    """
    return keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(1, steps))


def make_optimizer(keras, name: str, lr):
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=lr)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=lr)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr)
    raise TutorError(_("unknown optimizer {name!r}: use one of {known}").format(name=name, known=", ".join(OPTIMIZERS)))


def optimizer_for(keras, params: Params, train_images: int):
    """The optimizer ``params`` names, with ``params.lr`` - falling to 0 over the run's updates if ``params.decay``."""
    updates = params.epochs * -(-train_images // params.batch_size)  # weight updates in the whole run
    lr = cosine_decay(keras, params.lr, updates) if params.decay else params.lr
    return make_optimizer(keras, params.optimizer, lr)


def parse_layers(text: str) -> list[int]:
    """'256,256,256' (or '256 256 256') -> [256, 256, 256], checked."""
    parts = str(text).replace(",", " ").split()
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise TutorError(_("hidden layers {text!r}: write whole numbers separated by commas, e.g. 256,256").format(
            text=text)) from None
    if not 1 <= len(sizes) <= 8 or not all(1 <= size <= 4096 for size in sizes):
        raise TutorError(_("hidden layers {text!r}: give 1 to 8 layers of 1 to 4096 units each").format(text=text))
    return sizes


def dense_network(keras, hidden: list[int], activation: str = "relu"):
    """784 pixels -> Dense(h1) -> ... -> Dense(10, softmax)."""
    layers = [keras.Input((SIDE * SIDE,), name="pixels")]
    layers += [keras.layers.Dense(units, activation=activation) for units in hidden]
    layers.append(keras.layers.Dense(CLASSES, activation="softmax"))
    return keras.Sequential(layers, name="dense_" + "_".join(str(u) for u in hidden))


# ---------------------------------------------------------------- saved models


def default_model_path(lesson_id: str) -> Path:
    return user_data_dir() / "models" / f"{lesson_id}.keras"


def model_path(lesson_id: str, given: str) -> Path:
    """The file a lesson saves to / reads from: the learner's path, else the user data dir."""
    if given and given.strip():
        path = Path(given.strip()).expanduser()
        return path if path.suffix == ".keras" else path.with_suffix(path.suffix + ".keras")
    return default_model_path(lesson_id)


def save_model(model, path: Path, reporter: Reporter, what: str = "") -> bool:
    """Save atomically (a kill or a full disk never leaves a broken file in place of the
    old one). A model that cannot be saved is said, not fatal: the training is kept."""
    what = what or _("model")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as temporary:
            model.save(temporary)
    except OSError as error:  # a read-only home, a folder given as the path, a full disk
        reporter.note(_("the {what} was not saved: {error}").format(what=what, error=error))
        return False
    reporter.note(_("{what} saved to {path}").format(what=what, path=path))
    return True


# A saved model of these lessons unpacks to at most about 1.5 GB (mnist-mlp with eight
# 4096-unit layers and Adam's two moments per weight); anything bigger is not one of ours.
MODEL_MAX_BYTES = 2 * 10**9


def _one_line(error: BaseException) -> str:
    """An exception as one line: the reason kept whole (up to 600 characters), whitespace folded."""
    text = " ".join(str(error).split())
    return text if len(text) <= 600 else text[:597] + "..."


def load_saved_model(keras, path: Path, input_shape: tuple[int, ...]):
    """A model saved by this lesson, checked to read images shaped ``input_shape``.

    Before Keras opens it: the path must be a regular file (a folder, FIFO or
    device is said to be one), and the archive must not unpack to more than
    ``MODEL_MAX_BYTES`` or to far more than its own size (a decompression bomb).
    """
    if regular_file(path, "model") is None:
        raise TutorError(_("no saved model at {path}: run the lesson with mode=train first "
                           "(or set model to the path of a .keras file)").format(path=show(path)))
    check_zip_size(path, "model", MODEL_MAX_BYTES)
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # zip, HDF5, JSON or layer errors: all mean "not a usable model"
        reason = _one_line(error)
        if "safe_mode" in reason or "unsafe" in reason.lower():
            raise TutorError(_("the model file {path} contains Python code (a Lambda layer or a custom "
                               "function), which the tutor does not run: save a model built from standard "
                               "layers. Keras says: {reason}").format(
                path=show(path), reason=reason.split(" If you trust")[0])) from None
        raise TutorError(_("cannot read the model file {path}: it is not a valid Keras model ({error}: {reason})")
                         .format(path=show(path), error=type(error).__name__, reason=reason)) from None
    shape = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    outputs = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
    if shape != tuple(input_shape) or outputs != CLASSES:
        raise TutorError(_("the model in {path} reads inputs shaped {shape} and gives {outputs} outputs; "
                           "this lesson needs {needed} and {classes}").format(
            path=show(path), shape=shape, outputs=outputs, needed=tuple(input_shape), classes=CLASSES))
    return model


def compile_for_evaluation(model, reporter: Reporter) -> None:
    """A model saved before ``compile`` has no loss to evaluate: give it the lessons' own."""
    if getattr(model, "compiled", True) and getattr(model, "loss", None) is not None:
        return
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    reporter.note(_("the saved model was not compiled: evaluating it with categorical cross-entropy, "
                    "the loss these lessons train with"))


def load_trained_model(keras, path: Path, input_shape: tuple[int, ...], reporter: Reporter):
    """``mode=evaluate``: the model a training run saved, ready to evaluate."""
    model = load_saved_model(keras, path, input_shape)
    compile_for_evaluation(model, reporter)
    reporter.note(_("loaded the trained model from {path}").format(path=path))
    return model


# ---------------------------------------------------------------- reading predictions


def confusion_matrix(true: np.ndarray, guessed: np.ndarray, classes: int = CLASSES) -> np.ndarray:
    """counts[t, g] = how many images of class t the model called g (rows sum to class sizes)."""
    pairs = np.asarray(true, np.intp) * classes + np.asarray(guessed, np.intp)
    return np.bincount(pairs, minlength=classes * classes).reshape(classes, classes)


def top_k(probabilities: np.ndarray, names, k: int = 3) -> list[tuple[str, float]]:
    best = np.argsort(probabilities)[::-1][:k]
    return [(names[i], float(probabilities[i])) for i in best]


def grid_indices(true: np.ndarray, guessed: np.ndarray | None, start: int, count: int,
                 mistakes_only: bool) -> np.ndarray:
    """Which test images the grid shows: ``count`` from ``start`` on (only wrong ones if asked)."""
    candidates = np.arange(start, len(true))
    if mistakes_only and guessed is not None:
        candidates = candidates[guessed[start:] != true[start:]]
    return candidates[:count]


def predictions_view(images: np.ndarray, true: np.ndarray, indices: np.ndarray, probabilities: np.ndarray,
                     names, title: str, columns: int = GRID_COLUMNS) -> dict[str, Any]:
    """``digits`` view data: the test images at ``indices`` with their true and predicted labels.

    ``probabilities`` (len(indices), 10) are the model's outputs for those
    images; the first image is selected and its top-3 is shown.
    """
    guessed = probabilities.argmax(axis=1)
    wrong = int(np.sum(guessed != true[indices]))
    data: dict[str, Any] = {
        "images": np.array(images[indices]),
        "labels": [names[t] for t in true[indices]],
        "predicted": [names[g] for g in guessed],
        "title": _("{title}: {right} of {count} right").format(title=title, right=len(indices) - wrong,
                                                                count=len(indices)),
        "columns": min(columns, max(1, len(indices))),
    }
    if len(indices):
        data["selected"] = 0
        data["top"] = top_k(probabilities[0], names)
        data["tops"] = [top_k(p, names) for p in probabilities]  # for browsing in the app
    return data


def matrix_view(counts: np.ndarray, names) -> dict[str, Any]:
    right = int(np.trace(counts))
    return {"matrices": [{
        "title": _("confusion matrix: rows = true class, columns = prediction ({right} of {total} on the diagonal)")
        .format(right=right, total=int(counts.sum())),
        "values": counts,
        "rows": list(names),
        "cols": list(names),
    }]}


def probabilities_view(probabilities: np.ndarray, names, index: int, true_name: str) -> dict[str, Any]:
    return {
        "labels": list(names),
        "values": [float(p) for p in probabilities],
        "title": _("test image #{index} (truly {name}): the model's probabilities").format(index=index, name=true_name),
        "ylabel": _("probability"),
        "ylim": (0.0, 1.0),
    }


def show_test_results(reporter: Reporter, images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray, names,
                      index: int, *, grid_size: int, columns: int, mistakes: bool) -> None:
    """After training: the grid of test images from ``index`` on (only the wrong ones if
    ``mistakes``), image ``index``'s probabilities, and the confusion matrix."""
    guessed = probabilities.argmax(axis=1)
    indices = grid_indices(labels, guessed, index, grid_size, mistakes)
    what = _("wrongly classified test images") if mistakes else _("test images")
    if len(indices) == 0:  # not a single mistake left to show: show the images instead
        indices = grid_indices(labels, guessed, index, grid_size, False)
        what = _("no mistakes - test images")
    reporter.view("digits", **predictions_view(images, labels, indices, probabilities[indices], names,
                                               _("{what} from #{index}").format(what=what, index=index), columns))
    reporter.view("bars", **probabilities_view(probabilities[index], names, index, names[labels[index]]))
    reporter.view("matrix", **matrix_view(confusion_matrix(labels, guessed), names))


def preview_test_images(dataset: str, params: Params, reporter: Reporter, *, grid_size: int, columns: int) -> None:
    """Before a run: the test images the grid will show, with their true labels only."""
    _training, (x_test, y_test) = load_images(dataset, notify=reporter.note)
    x_test, y_test = first(x_test, y_test, params.test_limit)
    index = min(max(0, int(params.index)), len(x_test) - 1)
    indices = grid_indices(y_test, None, index, grid_size, False)
    names = CLASS_NAMES[dataset]
    reporter.view("digits", images=np.array(x_test[indices]), labels=[names[t] for t in y_test[indices]],
                  selected=0, columns=min(columns, max(1, len(indices))),
                  title=_("test images from #{index}, with their labels").format(index=index))


# ---------------------------------------------------------------- training and judging


def show_grid(reporter: Reporter, model, images: np.ndarray, labels: np.ndarray, inputs: np.ndarray, names, index: int,
              epoch: int, *, grid_size: int, columns: int) -> None:
    """After an epoch: what the model says about the grid's test images (``inputs``: as the model reads them)."""
    shown = grid_indices(labels, None, index, grid_size, False)
    reporter.view("digits", **predictions_view(images, labels, shown, predict(model, inputs[shown]), names,
                                               _("epoch {epoch}: test images").format(epoch=epoch), columns))


def note_training(reporter: Reporter, inputs_train: np.ndarray, targets_train: np.ndarray, test_images: int) -> None:
    reporter.note(_("training on {count:,} images {shape} scaled to [0, 1], testing on {test:,}; "
                    "labels one-hot {labels}").format(
        count=len(inputs_train), shape=inputs_train.shape[1:], test=test_images, labels=targets_train.shape[1:]))


@contextlib.contextmanager
def kept_when_stopped(model, path: Path, reporter: Reporter, progress) -> Iterator[None]:
    """Stop during ``fit`` ends the run, keeping what was learned: the model after its last whole epoch."""
    try:
        yield
    except Cancelled:
        if progress.last_epoch:
            save_model(model, path, reporter, what=_("model after epoch {epoch}").format(epoch=progress.last_epoch))
        raise


def trained(model, path: Path, reporter: Reporter, history: dict, train_images: int) -> dict[str, Any]:
    """After ``fit``: the model saved, and what the training came to."""
    return {"model_saved": save_model(model, path, reporter), "train_loss": history["loss"][-1],
            "train_accuracy": history["accuracy"][-1], "epochs": len(history["loss"]),
            "seconds_per_epoch": float(np.mean(history["epoch_seconds"])), "train_images": train_images}


def judged_on_test(model, probabilities: np.ndarray, labels: np.ndarray, inputs: np.ndarray, targets: np.ndarray,
                   history: dict | None, reporter: Reporter) -> dict[str, Any]:
    """How the model does on the test images, from its ``probabilities`` (its guess is the largest).

    The test loss is the last epoch's (``history`` of a training run) or, for a loaded model,
    Keras' own evaluation - computed exactly as in training.
    """
    guessed = probabilities.argmax(axis=1)
    right = int(np.sum(guessed == labels))
    accuracy, mistakes = right / len(guessed), len(guessed) - right
    reporter.check_cancelled()
    if history is not None:
        loss = float(history["val_loss"][-1])
    else:
        loss = float(model.evaluate(inputs, targets, batch_size=1024, verbose=0, return_dict=True,
                                    callbacks=[reporter_callback(reporter, 1)])["loss"])
        # Not recorded: one point is no curve, so the loss view stays empty.
        reporter.progress(1, 1, unit="evaluation", record=False, test_loss=loss, test_accuracy=accuracy)
    reporter.note(_("test accuracy {accuracy:.4f}: {mistakes} of {count:,} test images wrong").format(
        accuracy=accuracy, mistakes=mistakes, count=len(guessed)))
    return {"test_loss": loss, "test_accuracy": accuracy, "test_images": len(guessed), "mistakes": mistakes}


def epoch_timer(keras):
    """A callback that adds ``epoch_seconds`` to each epoch's logs (reported like a metric)."""

    callback: Any = keras.callbacks.Callback  # Keras' own class, known only once Keras is imported

    class EpochTimer(callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["epoch_seconds"] = time.perf_counter() - self.began

    return EpochTimer()
