"""The ``keras.callbacks.Callback`` that reports ``model.fit`` to the tutor."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tutor.keras_bridge.logs import as_metrics
from tutor.keras_bridge.runtime import import_keras
from tutor.reporting import Cancelled
from tutor.routine_types import Reporter

# on_view(model, epoch): the routine sends its view updates (surface, fit...).
OnView = Callable[[Any, int], None]

_callback_class: type | None = None


def _reporter_callback_class() -> type:
    """The Callback subclass, built on first use because Keras is imported lazily."""
    global _callback_class
    if _callback_class is not None:
        return _callback_class
    keras = import_keras()
    callback: Any = keras.callbacks.Callback  # Keras' own class, known only once Keras is imported

    class ReporterCallback(callback):
        def __init__(
            self,
            reporter: Reporter,
            epochs: int | None,
            view_every: int,
            on_view: OnView | None,
            val_name: str,
            batch_progress: bool,
        ) -> None:
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

        # Stop: asked for at any time, honoured at the next batch boundary,
        # where a paused run also waits (using no CPU) until Resume or Step.
        def _stop_if_asked(self) -> None:
            try:
                self.reporter.check_cancelled()
            except Cancelled:
                if self.model is not None:
                    self.model.stop_training = True
                raise

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
                # A UI needs no more than 10 a second; a paused run is stepped batch by batch.
                if now - self._last_batch_report >= 0.1 or self.reporter.control.paused:
                    self._last_batch_report = now
                    steps = int((self.params or {}).get("steps") or 0)
                    self.reporter.progress(
                        batch + 1, steps, unit="batch", record=False, **as_metrics(logs, self.val_name)
                    )

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
            self.reporter.progress(self.last_epoch, total, **as_metrics(logs or {}, self.val_name))

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
