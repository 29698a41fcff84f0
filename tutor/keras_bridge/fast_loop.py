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
import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

# LOADING_MESSAGE and tensorflow_loaded are re-exported ("as" keeps them public): they live in
# tutor.keras_status, which the renderers import instead of this module.
from tutor.keras_status import LOADING_MESSAGE as LOADING_MESSAGE
from tutor.keras_status import _import_lock
from tutor.keras_status import tensorflow_loaded as tensorflow_loaded
from tutor.reporting import Cancelled, Reporter

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
        # The fast loop and the callbacks are TensorFlow's: an inherited
        # KERAS_BACKEND=jax or torch would fail later with an obscure traceback.
        os.environ["KERAS_BACKEND"] = "tensorflow"
        os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
        with _stderr_silenced():
            import keras
            import tensorflow as tf

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


def start_keras(reporter: Reporter, seed: int) -> Any:
    """What a Keras routine does first: import Keras (quietly), honour a Stop
    pressed while it loaded (seconds, the first time), seed Keras from the run."""
    keras = import_keras()
    reporter.check_cancelled()
    # Each run builds new models: drop the previous runs' graphs and layer
    # names, or memory grows with every run in a long-lived app.
    keras.backend.clear_session()
    seed_everything(seed)
    return keras


# ---------------------------------------------------------------- metric names


def _renamed(key: str, val_name: str) -> str:
    """'val_loss' becomes f'{val_name}_loss' (e.g. 'test_loss'); other keys stay."""
    return f"{val_name}_{key[4:]}" if key.startswith("val_") else key


def _metric_names(logs: Mapping[str, Any], val_name: str) -> dict[str, float]:
    """Keras' logs as tutor metrics (plain floats, validation keys renamed)."""
    metrics = {}
    for key, value in logs.items():
        try:
            metrics[_renamed(key, val_name)] = float(value)
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
                        batch + 1, steps, unit="batch", record=False, **_metric_names(logs, self.val_name)
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


# ---------------------------------------------------------------- the fast loop


class _EpochRunner:
    """Runs up to ``capacity`` epochs of ``model.train_step`` in one compiled TensorFlow call.

    An epoch gets its order of the samples (a permutation, drawn in NumPy from
    the run's generator), cuts it into batches of ``batch_size`` with the last
    one partial - exactly as ``model.fit`` batches - and applies the model's
    own ``train_step`` (forward pass, compiled loss, gradients, the compiled
    optimizer, metrics) to each batch. The per-epoch logs are Keras' own
    (running means over the epoch's batches); with validation data the
    model's ``test_step`` runs on all of it after each epoch.
    """

    def __init__(
        self,
        model: Any,
        x: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        validation_data: tuple[np.ndarray, np.ndarray] | None,
        jit_compile: bool,
    ) -> None:
        import_keras()
        import tensorflow as tf

        n = len(x)
        batch_size = max(1, min(int(batch_size), n))
        full, rest = divmod(n, batch_size)
        # Build the model, loss, metrics and the optimizer's slots outside the
        # compiled function, as fit does (symbolically: no weight changes).
        if hasattr(model, "_symbolic_build"):
            model._symbolic_build(data_batch=(x[:batch_size], y[:batch_size]))
        else:  # a Keras without it: test_on_batch builds the same and trains nothing
            model.test_on_batch(x[:batch_size], y[:batch_size])
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.reset_metrics()
        self.names = list(model.get_metrics_result())
        self.val_names = [f"val_{name}" for name in self.names] if validation_data else []
        width = len(self.names) + len(self.val_names)
        self.n = n
        # Every call takes a (capacity, n) block of orders: one shape, one compilation.
        self.capacity = capacity = int(min(2048, max(1, 1_000_000 // n)))
        # The data goes in as arguments, not captured constants: XLA would
        # fold big constants into the program and compile for seconds.
        self._data = [tf.constant(x), tf.constant(y)]
        if validation_data:
            self._data += [tf.constant(v) for v in validation_data]

        def one_epoch(order, x_t, y_t, val):  # order: (n,) a permutation of the samples
            model.reset_metrics()
            batches = tf.reshape(order[: full * batch_size], (full, batch_size))  # (full, batch_size)

            def step(b):
                idx = batches[b]
                model.train_step((tf.gather(x_t, idx), tf.gather(y_t, idx)))
                return (b + 1,)

            tf.while_loop(lambda b: b < full, step, (tf.constant(0),))
            if rest:  # the last, smaller batch, as fit has it
                idx = order[full * batch_size :]
                model.train_step((tf.gather(x_t, idx), tf.gather(y_t, idx)))
            logs = model.get_metrics_result()
            values = [tf.cast(logs[name], tf.float32) for name in self.names]
            if val is not None:
                model.reset_metrics()
                val_logs = model.test_step(val)
                values += [tf.cast(val_logs[name], tf.float32) for name in self.names]
            return tf.stack(values)  # (metrics,)

        def chunk(orders, count, x_t, y_t, *val):  # orders: (capacity, n), the first `count` rows used
            out = tf.zeros((capacity, width), tf.float32)
            val = tuple(val) or None

            def body(i, out):
                row = one_epoch(orders[i], x_t, y_t, val)
                return i + 1, tf.tensor_scatter_nd_update(out, [[i]], [row])

            _, out = tf.while_loop(lambda i, _: i < count, body, (tf.constant(0), out))
            return out  # (capacity, metrics)

        self._chunk = tf.function(chunk, jit_compile=jit_compile, reduce_retracing=True)
        self._tf = tf

    def run(self, orders: np.ndarray) -> np.ndarray:
        """One epoch per row of ``orders`` (count <= capacity, n): their logs, (count, metrics)."""
        count = len(orders)
        block = np.zeros((self.capacity, self.n), np.int32)
        block[:count] = orders
        return self._chunk(self._tf.constant(block), self._tf.constant(count), *self._data).numpy()[:count]


def _compiled_runner(model, x, y, batch_size, validation_data, jit_compile) -> _EpochRunner:
    """An :class:`_EpochRunner`, compiled by a zero-epoch call (which trains nothing).

    If XLA cannot compile the model, fall back to a plain TensorFlow graph.
    """
    import tensorflow as tf

    empty = np.zeros((0, len(x)), np.int32)
    runner = _EpochRunner(model, x, y, batch_size, validation_data, jit_compile)
    try:
        runner.run(empty)
    except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
        if not jit_compile:
            raise
        runner = _EpochRunner(model, x, y, batch_size, validation_data, False)
        runner.run(empty)
    return runner


def _while_listening_for_stop(reporter: Reporter, work: Callable[[], Any]) -> Any:
    """Run ``work`` (compiling: seconds, and TensorFlow cannot be interrupted) in a helper thread.

    If Stop is pressed meanwhile, raise :class:`Cancelled` at once; the
    abandoned compilation finishes in the background and is thrown away.
    """
    reporter.check_cancelled()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the waiting thread below
            outcome["error"] = error

    # Not a daemon: at exit Python waits for it (TensorFlow aborts the process
    # if it is torn down in the middle of compiling).
    thread = threading.Thread(target=target, name="tutor-compile", daemon=False)
    thread.start()
    while thread.is_alive():
        thread.join(0.05)
        reporter.check_cancelled()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def fast_fit(
    model: Any,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int,
    reporter: Reporter,
    seed: int | np.random.Generator,
    validation_data: tuple[Any, Any] | None = None,
    view_every: int = 10,
    on_view: OnView | None = None,
    val_name: str = "val",
    chunk_seconds: float = 0.25,
    jit_compile: bool | str = "auto",
) -> dict[str, list[float]]:
    """Train like ``model.fit(x, y, epochs, batch_size, shuffle=True)``, many epochs per call.

    For small data and many epochs ``model.fit`` spends almost all its time on
    per-epoch bookkeeping, not maths. Here a compiled (XLA) TensorFlow
    function runs a *chunk* of epochs (see :class:`_EpochRunner` for what one
    epoch is); between chunks - each sized to take about ``chunk_seconds`` -
    every epoch of the chunk is reported (``reporter.progress``),
    ``on_view(model, epoch)`` is called (at most every ``view_every`` epochs,
    and after the last), and Stop is honoured, so a run ends within a second.

    ``seed`` is the shuffling's source: a ``np.random.Generator`` (pass
    ``params.rng``) or an int; epoch e trains on the order
    ``generator.permutation(len(x))`` drawn e-th. The model must be compiled
    (optimizer, loss, metrics). Returns the history like ``History.history``:
    {"loss": [...], "accuracy": [...], "val_loss": ...}, with validation keys
    renamed by ``val_name`` as in :func:`reporter_callback`.

    ``jit_compile``: XLA makes an epoch of tiny batches several times faster
    but takes seconds to compile; "auto" uses it for 1,000 epochs or more.
    """
    if jit_compile == "auto":
        jit_compile = epochs >= 1000
    x, y = np.asarray(x, dtype="float32"), np.asarray(y, dtype="float32")
    if validation_data is not None:
        validation_data = tuple(np.asarray(v, dtype="float32") for v in validation_data)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    runner = _while_listening_for_stop(
        reporter, lambda: _compiled_runner(model, x, y, batch_size, validation_data, jit_compile)
    )
    names = runner.names + runner.val_names
    history: dict[str, list[float]] = {}
    # The first view comes after epoch 1: the first epochs are where a model changes most.
    done, count, last_viewed = 0, 8, 1 - view_every
    while done < epochs:
        reporter.check_cancelled()
        # A chunk ends where a view is due, so the views change every view_every epochs.
        due = last_viewed + view_every if on_view is not None else epochs
        count = min(count, epochs - done, runner.capacity, max(1, due - done))
        orders = np.stack([rng.permutation(len(x)) for _ in range(count)])  # (count, n)
        began = time.perf_counter()
        logs = runner.run(orders)  # (count, metrics)
        per_epoch = (time.perf_counter() - began) / count
        for index, row in enumerate(logs):
            done += 1
            metrics = _metric_names(dict(zip(names, row.tolist())), val_name)
            for key, value in metrics.items():
                history.setdefault(key, []).append(value)
            last = index == len(logs) - 1
            if last and on_view is not None and (done - last_viewed >= view_every or done == epochs):
                # The model as it is after epoch `done`: sent before that epoch's
                # progress, so the run's frame for this epoch shows it.
                last_viewed = done
                on_view(model, done)
            reporter.progress(done, epochs, **metrics)  # records the epoch; raises on Stop
        # The next chunk should take about chunk_seconds; grow gently.
        count = max(1, min(int(chunk_seconds / max(per_epoch, 1e-6)), 4 * count))
    return history


def train(
    model: Any,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int,
    reporter: Reporter,
    seed: int | np.random.Generator,
    fast: bool = True,
    validation_data: tuple[Any, Any] | None = None,
    view_every: int = 10,
    on_view: OnView | None = None,
    val_name: str = "val",
) -> dict[str, list[float]]:
    """Train a compiled model, reporting to the tutor: :func:`fast_fit` or ``model.fit``.

    Both run the same steps (batches of ``batch_size``, reshuffled every
    epoch, the model's optimizer); ``fast=False`` is the plain Keras way with
    :func:`reporter_callback`, slow when epochs are tiny and many (its
    shuffles come from TensorFlow's seed, set by :func:`seed_everything`;
    ``seed`` only drives the fast loop's).
    Returns the per-epoch history (``History.history`` style).
    """
    if fast:
        return fast_fit(
            model,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            reporter=reporter,
            seed=seed,
            validation_data=validation_data,
            view_every=view_every,
            on_view=on_view,
            val_name=val_name,
        )
    callback = reporter_callback(reporter, epochs, view_every=view_every, on_view=on_view, val_name=val_name)
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=0,
        validation_data=validation_data,
        callbacks=[callback],
    )
    return {_renamed(key, val_name): [float(v) for v in values] for key, values in history.history.items()}


def predict(model: Any, x: Any) -> np.ndarray:
    """The model's output for ``x`` as a NumPy array.

    Calls the model directly: ``model.predict`` sets up a whole data pipeline
    per call, far too slow for a view redrawn every fraction of a second.
    """
    return np.asarray(model(np.asarray(x, dtype="float32"), training=False))


def decision_surface(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    *,
    step: float | None = None,
    points: int = 60,
    margin: float = 0.1,
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
    class_names: Sequence[str] = ("class 0", "class 1"),
    title: str = "",
    xlabel: str = "x1",
    ylabel: str = "x2",
) -> dict[str, Any]:
    """``surface`` view data: P(class 1) over a grid covering the data, with the data on it.

    ``bounds`` ((x_low, y_low), (x_high, y_high)) defaults to the data's range
    plus ``margin`` of it; ``step`` gives the grid spacing, else ``points`` per axis.
    """
    from tutor.data.toy import grid

    if bounds is None:
        low, high = x.min(axis=0), x.max(axis=0)
        pad = (high - low) * margin
        bounds = (tuple(low - pad), tuple(high + pad))
    xs, ys, coords = grid(bounds[0], bounds[1], step=step, points=points)
    z = predict(model, coords)[:, 0].reshape(len(ys), len(xs))  # (ny, nx)
    groups = [{"x": x[y == k, 0], "y": x[y == k, 1], "label": name} for k, name in enumerate(class_names)]
    return {
        "x": xs,
        "y": ys,
        "z": z,
        "points": groups,
        "title": title,
        "xlabel": xlabel,
        "ylabel": ylabel,
        "zlabel": f"P({class_names[1]})",
    }
