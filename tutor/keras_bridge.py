"""The one door to Keras: quiet, lazy import and training reported as tutor reports.

Nothing here imports TensorFlow at module import time; :func:`import_keras`
does it, once, when a Keras lesson runs.

Three ways a routine trains with Keras and reports to the tutor:

* :func:`reporter_callback` - a ``keras.callbacks.Callback`` for ``model.fit``:
  progress per epoch, Stop between batches, a view update every few epochs;
* :func:`fast_fit` - the same training steps (the model's own ``train_step``,
  its optimizer, batches of ``batch_size`` reshuffled every epoch) but many
  epochs per compiled call, for the lessons that run thousands of tiny epochs;
* :func:`train` - picks one of the two (``fast=True`` or ``False``).

:func:`summary_table` turns ``model.summary()`` into rows for a ``table`` view.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
import warnings
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from tutor.reporting import Cancelled, Reporter

_import_lock = threading.Lock()

# on_view(model, epoch): the routine sends its view updates (surface, fit...).
OnView = Callable[[Any, int], None]


@contextlib.contextmanager
def _stderr_silenced():
    """Send file descriptor 2 to /dev/null: TensorFlow's C++ side writes there directly."""
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded terminals)
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_keras() -> Any:
    """Import Keras (TensorFlow backend) with its console noise switched off."""
    with _import_lock:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ INFO/WARNING/ERROR lines
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
        with _stderr_silenced():
            import tensorflow as tf
            import keras

        tf.get_logger().setLevel("ERROR")
        tf.autograph.set_verbosity(0)
        keras.utils.disable_interactive_logging()  # no progress bars on stdout
        # Python-side warnings from Keras/TF (retracing, input_shape hints...)
        # would be printed over the app's screen; the lessons do not need them.
        for module in ("keras", "tensorflow", "absl"):
            warnings.filterwarnings("ignore", module=module)
        return keras


def seed_everything(seed: int) -> None:
    """Keras' own initialisers and shuffles follow the run's seed."""
    import_keras().utils.set_random_seed(seed)


# ---------------------------------------------------------------- metric names


def _metric_names(logs: Mapping[str, Any], val_name: str) -> dict[str, float]:
    """Keras' log keys as tutor metrics: 'val_loss' becomes f'{val_name}_loss'."""
    metrics = {}
    for key, value in logs.items():
        if key.startswith("val_") and val_name != "val":
            key = f"{val_name}_{key[4:]}"
        try:
            metrics[key] = float(value)
        except (TypeError, ValueError):  # a metric that is not a number (rare): skip it
            continue
    return metrics


# ---------------------------------------------------------------- model.fit callback

_callback_class: type | None = None


def _reporter_callback_class() -> type:
    """The Callback subclass, built on first use because Keras is imported lazily."""
    global _callback_class
    if _callback_class is not None:
        return _callback_class
    keras = import_keras()

    class ReporterCallback(keras.callbacks.Callback):
        def __init__(self, reporter: Reporter, epochs: int | None, view_every: int,
                     on_view: OnView | None, val_name: str, batch_progress: bool) -> None:
            super().__init__()
            self.reporter = reporter
            self.epochs = epochs
            self.view_every = max(1, int(view_every))
            self.on_view = on_view
            self.val_name = val_name
            self.batch_progress = batch_progress
            self.last_epoch = 0
            self.last_viewed = -1
            self._last_batch_report = 0.0

        # Stop: asked for at any time, honoured at the next batch boundary.
        def _stop_if_asked(self) -> None:
            if self.reporter.cancelled:
                if self.model is not None:
                    self.model.stop_training = True
                raise Cancelled()

        def _total(self) -> int:
            return int(self.epochs or (self.params or {}).get("epochs") or 0)

        def _view(self, epoch: int) -> None:
            if self.on_view is not None and epoch != self.last_viewed:
                self.last_viewed = epoch
                self.on_view(self.model, epoch)

        def on_train_begin(self, logs=None):
            self._stop_if_asked()

        def on_epoch_begin(self, epoch, logs=None):
            self._stop_if_asked()

        def on_train_batch_end(self, batch, logs=None):
            self._stop_if_asked()
            if self.batch_progress and logs:
                now = time.monotonic()
                if now - self._last_batch_report >= 0.1:  # a UI needs no more than 10 a second
                    self._last_batch_report = now
                    steps = int((self.params or {}).get("steps") or 0)
                    self.reporter.progress(batch + 1, steps, unit="batch", record=False,
                                           **_metric_names(logs, self.val_name))

        def on_test_batch_end(self, batch, logs=None):
            self._stop_if_asked()

        def on_predict_batch_end(self, batch, logs=None):
            self._stop_if_asked()

        def on_epoch_end(self, epoch, logs=None):
            self.last_epoch = epoch + 1
            total = self._total()
            if self.last_epoch % self.view_every == 0 or self.last_epoch == total:
                self._view(self.last_epoch)
            # progress() records the epoch (the run keeps it even if stopped
            # later), raises Diverged on NaN and Cancelled on Stop.
            self.reporter.progress(self.last_epoch, total, **_metric_names(logs or {}, self.val_name))

        def on_train_end(self, logs=None):
            # Early stopping or the end: the views show the final model.
            if self.last_epoch and not self.reporter.cancelled:
                self._view(self.last_epoch)

    _callback_class = ReporterCallback
    return ReporterCallback


def reporter_callback(
    reporter: Reporter,
    epochs: int | None = None,
    *,
    view_every: int = 10,
    on_view: OnView | None = None,
    val_name: str = "val",
    batch_progress: bool = False,
) -> Any:
    """A ``keras.callbacks.Callback`` that reports ``model.fit`` to the tutor.

    Use it as ``model.fit(x, y, epochs=n, verbose=0, callbacks=[reporter_callback(reporter, n)])``.

    * After every epoch: ``reporter.progress(epoch, epochs, **logs)`` with
      Keras' logs (``loss``, ``accuracy``..., and ``val_loss``... when fit has
      validation data; ``val_name="test"`` reports them as ``test_loss``...).
      Epochs count from 1 and follow ``initial_epoch``. ``epochs`` is the total
      shown in the progress bar (default: fit's own ``epochs``).
    * Every ``view_every`` epochs and after the last one:
      ``on_view(model, epoch)``, where the routine sends its view updates.
    * Before and after every batch (train, validation, predict): if the
      learner pressed Stop, set ``model.stop_training`` and raise
      :class:`~tutor.reporting.Cancelled`, which ends ``fit`` at once; the
      epochs already reported stay in the run's history.
    * ``batch_progress=True`` also reports progress within an epoch
      (``unit="batch"``, not recorded, at most ten times a second): useful
      when an epoch takes seconds (MNIST).
    * A NaN/infinite metric raises :class:`~tutor.reporting.Diverged` out of ``fit``.
    """
    cls = _reporter_callback_class()
    return cls(reporter, epochs, view_every, on_view, val_name, batch_progress)


# ---------------------------------------------------------------- model.summary as a table


def summary_table(model: Any, title: str = "model.summary()") -> dict[str, Any]:
    """``model.summary()`` as ``table`` view data: one row per layer, then the total.

    Send it with ``reporter.view("table", **summary_table(model))``.
    """
    rows = []
    for layer in model.layers:
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):  # a layer not yet called on data
            shape = None
        shape_text = "?" if shape is None else "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
        rows.append([f"{layer.name} ({type(layer).__name__})", shape_text, int(layer.count_params())])
    trainable = int(sum(int(np.prod(v.shape)) for v in model.trainable_weights))
    rows.append(["total", "", int(model.count_params())])
    return {
        "columns": ["layer (type)", "output shape", "params"],
        "rows": rows,
        "title": f"{title}: {trainable} trainable parameters",
    }
