"""Chapter 4's shared machinery: images as tensors, training a classifier, and what it shows.

The lessons ``mnist-mlp``, ``lenet5`` and ``fashion-mnist`` differ only in
their model; everything around it - turning pictures into numbers, training
with ``model.fit``, saving the model, and looking at its predictions - lives
here, written once. Keras is imported inside the functions only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tutor.data.images import CLASS_NAMES, load_images
from tutor.data.safe import check_zip_size, regular_file, show
from tutor.files import atomic_path
from tutor.paths import user_data_dir
from tutor.reporting import Cancelled
from tutor.runner import TutorError

CLASSES = 10
SIDE = 28
GRID_COLUMNS = 8


# ---------------------------------------------------------------- images as numbers


@dataclass(frozen=True)
class ImageSet:
    """One image set, as the loader gives it: uint8 pixels 0..255 and uint8 labels."""

    name: str
    x_train: np.ndarray  # (n_train, 28, 28) uint8
    y_train: np.ndarray  # (n_train,) uint8
    x_test: np.ndarray  # (n_test, 28, 28) uint8
    y_test: np.ndarray  # (n_test,) uint8

    @property
    def class_names(self) -> tuple[str, ...]:
        return CLASS_NAMES[self.name]


def load_image_set(name: str, reporter, train_limit: int = 0, test_limit: int = 0) -> ImageSet:
    """The set named ``name``, optionally only its first ``train_limit``/``test_limit`` images.

    Where the images came from is told to the learner as a note.
    """
    (x_train, y_train), (x_test, y_test) = load_images(name, notify=reporter.note)
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    if test_limit:
        x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    return ImageSet(name, x_train, y_train, x_test, y_test)


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
    raise TutorError(f"unknown optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}")


def parse_layers(text: str) -> list[int]:
    """'256,256,256' (or '256 256 256') -> [256, 256, 256], checked."""
    parts = str(text).replace(",", " ").split()
    try:
        sizes = [int(part) for part in parts]
    except ValueError:
        raise TutorError(f"hidden layers {text!r}: write whole numbers separated by commas, e.g. 256,256") from None
    if not 1 <= len(sizes) <= 8 or not all(1 <= size <= 4096 for size in sizes):
        raise TutorError(f"hidden layers {text!r}: give 1 to 8 layers of 1 to 4096 units each")
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


def save_model(model, path: Path, reporter, what: str = "model") -> bool:
    """Save atomically (a kill or a full disk never leaves a broken file in place of the
    old one). A model that cannot be saved is said, not fatal: the training is kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as temporary:
            model.save(temporary)
    except OSError as error:  # a read-only home, a folder given as the path, a full disk
        reporter.note(f"the {what} was not saved: {error}")
        return False
    reporter.note(f"{what} saved to {path}")
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
        raise TutorError(f"no saved model at {show(path)}: run the lesson with mode=train first "
                         "(or set model to the path of a .keras file)")
    check_zip_size(path, "model", MODEL_MAX_BYTES)
    try:
        model = keras.models.load_model(path)
    except Exception as error:  # zip, HDF5, JSON or layer errors: all mean "not a usable model"
        reason = _one_line(error)
        if "safe_mode" in reason or "unsafe" in reason.lower():
            raise TutorError(f"the model file {show(path)} contains Python code (a Lambda layer or a custom "
                             "function), which the tutor does not run: save a model built from standard "
                             f"layers. Keras says: {reason.split(' If you trust')[0]}") from None
        raise TutorError(f"cannot read the model file {show(path)}: it is not a valid Keras model "
                         f"({type(error).__name__}: {reason})") from None
    shape = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    outputs = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
    if shape != tuple(input_shape) or outputs != CLASSES:
        raise TutorError(f"the model in {show(path)} reads inputs shaped {shape} and gives {outputs} outputs; "
                         f"this lesson needs {tuple(input_shape)} and {CLASSES}")
    return model


def compile_for_evaluation(model, reporter) -> None:
    """A model saved before ``compile`` has no loss to evaluate: give it the lessons' own."""
    if getattr(model, "compiled", True) and getattr(model, "loss", None) is not None:
        return
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    reporter.note("the saved model was not compiled: evaluating it with categorical cross-entropy, "
                  "the loss these lessons train with")


# ---------------------------------------------------------------- reading predictions


def predict(model, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """Class probabilities (n, 10), by direct calls: no tracing, no per-call setup."""
    chunks = [np.asarray(model(x[start:start + batch_size], training=False))
              for start in range(0, len(x), batch_size)]
    return np.concatenate(chunks) if chunks else np.zeros((0, CLASSES), np.float32)


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
        "title": f"{title}: {len(indices) - wrong} of {len(indices)} right",
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
        "title": f"confusion matrix: rows = true class, columns = prediction "
                 f"({right} of {int(counts.sum())} on the diagonal)",
        "values": counts,
        "rows": list(names),
        "cols": list(names),
    }]}


def probabilities_view(probabilities: np.ndarray, names, index: int, true_name: str) -> dict[str, Any]:
    return {
        "labels": list(names),
        "values": [float(p) for p in probabilities],
        "title": f"test image #{index} (truly {true_name}): the model's probabilities",
        "ylabel": "probability",
        "ylim": (0.0, 1.0),
    }


# ---------------------------------------------------------------- training


def _epoch_timer(keras):
    class EpochTimer(keras.callbacks.Callback):
        """Adds ``epoch_seconds`` to each epoch's logs (so it is reported like a metric)."""

        def on_epoch_begin(self, epoch, logs=None):
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["epoch_seconds"] = time.perf_counter() - self.began

    return EpochTimer()


@dataclass(frozen=True)
class Classifier:
    """What differs between the chapter's training lessons."""

    lesson_id: str
    dataset: str
    input_shape: tuple[int, ...]
    build: Callable[[Any, Any], Any]  # build(keras, params) -> an uncompiled model
    grid_size: int = 24
    grid_columns: int = GRID_COLUMNS
    # extra_views(model, x_test_inputs, index, reporter): e.g. LeNet's filters
    extra_views: Callable[[Any, np.ndarray, int, Any], None] | None = None


def preview_classifier(spec: Classifier, params, reporter) -> None:
    """Before a run: the test images the grid will show, with their true labels only."""
    data = load_image_set(spec.dataset, reporter, 0, params.test_limit)
    index = min(max(0, int(params.index)), len(data.x_test) - 1)
    indices = grid_indices(data.y_test, None, index, spec.grid_size, False)
    names = data.class_names
    reporter.view("digits", images=np.array(data.x_test[indices]), labels=[names[t] for t in data.y_test[indices]],
                  selected=0, columns=min(spec.grid_columns, max(1, len(indices))),
                  title=f"test images from #{index}, with their labels")


def run_classifier(spec: Classifier, params, reporter) -> dict[str, Any]:
    """Train (or reload) a classifier on an image set, then show what it learned.

    The order a learner sees: where the data came from, the model summary,
    loss/accuracy per epoch (train and test), then predictions on test
    images, the confusion matrix and the lesson's extra views.
    """
    from tutor.keras_bridge import reporter_callback, start_keras, summary_table

    evaluate_only = params.mode == "evaluate"
    data = load_image_set(spec.dataset, reporter, 0 if evaluate_only else params.train_limit,
                          params.test_limit)
    names = data.class_names
    index = int(params.index)
    if len(data.x_test) == 0:
        raise TutorError(f"the {spec.dataset} test set is empty: there are no test images to show or judge")
    if not 0 <= index < len(data.x_test):
        raise TutorError(f"index {index} is outside the test set (0 to {len(data.x_test) - 1})")
    x_test = as_inputs(data.x_test, spec.input_shape)
    y_test = one_hot(data.y_test)
    path = model_path(spec.lesson_id, params.model)

    keras = start_keras(reporter, params.seed)
    if evaluate_only:
        model = load_saved_model(keras, path, spec.input_shape)
        compile_for_evaluation(model, reporter)
        reporter.note(f"loaded the trained model from {path}")
    else:
        model = spec.build(keras, params)
        steps = params.epochs * -(-len(data.x_train) // params.batch_size)  # updates in the whole run
        lr = cosine_decay(keras, params.lr, steps) if params.decay else params.lr
        model.compile(optimizer=make_optimizer(keras, params.optimizer, lr),
                      loss="categorical_crossentropy", metrics=["accuracy"])
    reporter.view("table", **summary_table(model))

    def show(model, epoch: int) -> None:
        """During training: the grid's predictions and the lesson's extra views."""
        indices = grid_indices(data.y_test, None, index, spec.grid_size, False)
        reporter.view("digits", **predictions_view(data.x_test, data.y_test, indices, predict(model, x_test[indices]),
                                                   names, f"epoch {epoch}: test images", spec.grid_columns))
        if spec.extra_views is not None:
            spec.extra_views(model, x_test, index, reporter)

    result: dict[str, Any] = {"mode": params.mode}
    if evaluate_only:
        reporter.check_cancelled()
    else:
        x_train = as_inputs(data.x_train, spec.input_shape)
        y_train = one_hot(data.y_train)
        reporter.note(f"training on {len(x_train):,} images {x_train.shape[1:]} scaled to [0, 1], "
                      f"testing on {len(x_test):,}; labels one-hot {y_train.shape[1:]}")
        callback = reporter_callback(reporter, params.epochs, view_every=1, on_view=show,
                                     val_name="test", batch_progress=True)
        try:
            history = model.fit(x_train, y_train, batch_size=params.batch_size, epochs=params.epochs,
                                validation_data=(x_test, y_test), shuffle=True, verbose=0,
                                callbacks=[_epoch_timer(keras), callback]).history
            history = {key.replace("val_", "test_"): values for key, values in history.items()}
        except Cancelled:
            # Stopped: keep what was learned so far, then end the run.
            if callback.last_epoch:
                save_model(model, path, reporter, what=f"model after epoch {callback.last_epoch}")
            raise
        result["model_saved"] = save_model(model, path, reporter)
        result.update(
            train_loss=history["loss"][-1],
            train_accuracy=history["accuracy"][-1],
            epochs=len(history["loss"]),
            seconds_per_epoch=float(np.mean(history["epoch_seconds"])),
            train_images=len(x_train),
        )

    # After training: every test image's prediction.
    probabilities = predict(model, x_test)  # (n_test, 10)
    guessed = probabilities.argmax(axis=1)
    counts = confusion_matrix(data.y_test, guessed)
    right = int(np.trace(counts))
    test_accuracy = right / max(1, len(guessed))
    reporter.check_cancelled()
    if evaluate_only:
        # Keras' own evaluation, so the loss is computed exactly as in training.
        scores = model.evaluate(x_test, y_test, batch_size=1024, verbose=0, return_dict=True,
                                callbacks=[reporter_callback(reporter, 1)])
        test_loss = float(scores["loss"])
        # Not recorded: one point is no curve, so the loss view stays empty.
        reporter.progress(1, 1, unit="evaluation", record=False, test_loss=test_loss,
                          test_accuracy=test_accuracy)
    else:
        test_loss = float(history["test_loss"][-1])
    indices = grid_indices(data.y_test, guessed, index, spec.grid_size, params.mistakes)
    what = "wrongly classified test images" if params.mistakes else "test images"
    if len(indices) == 0:  # not a single mistake left to show: show the images instead
        indices = grid_indices(data.y_test, guessed, index, spec.grid_size, False)
        what = "no mistakes - test images"
    reporter.view("digits", **predictions_view(data.x_test, data.y_test, indices, probabilities[indices], names,
                                               f"{what} from #{index}", spec.grid_columns))
    reporter.view("bars", **probabilities_view(probabilities[index], names, index, names[data.y_test[index]]))
    reporter.view("matrix", **matrix_view(counts, names))
    if spec.extra_views is not None:
        spec.extra_views(model, x_test, index, reporter)
    reporter.note(f"test accuracy {test_accuracy:.4f}: {len(guessed) - right} of {len(guessed):,} test images wrong")

    result.update(
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        test_images=len(guessed),
        mistakes=len(guessed) - right,
        parameters=int(model.count_params()),
        predicted=names[int(guessed[index])],
        truth=names[int(data.y_test[index])],
        model_path=str(path),
    )
    return result
