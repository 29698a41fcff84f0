"""The fast loop: ``model.fit``'s training steps, many epochs per compiled TensorFlow call.

For small data and many epochs (deep-spiral, keras-beans: batch 10, 5,000
epochs) ``model.fit`` spends almost all its time on per-epoch bookkeeping,
not maths. Here the training loop is written out, as in the Keras guide
"Writing a training loop from scratch in TensorFlow": one *train step* takes a
batch, computes the predictions and the compiled loss under a
``tf.GradientTape``, asks the tape for the gradients, lets the model's
optimizer apply them and updates the metrics. Around it, one compiled
function runs a whole *chunk* of epochs (each one reshuffled, cut into
batches exactly as ``fit`` cuts them), so Python is visited once per chunk -
where the epochs are reported, the views updated and Stop honoured.

Only public Keras calls are used: ``model(x, training=...)``,
``model.compute_loss``, ``model.compute_metrics``, ``model.metrics``,
``model.reset_metrics``, ``model.get_metrics_result`` and the optimizer's
``build`` and ``apply``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from tutor.keras_bridge.callback import OnView, reporter_callback
from tutor.keras_bridge.logs import as_metrics, renamed
from tutor.keras_bridge.runtime import import_keras
from tutor.routine_types import Reporter


def build_for_training(model: Any, x_batch: np.ndarray, y_batch: np.ndarray) -> None:
    """Create every variable training needs, eagerly, before the loop is compiled.

    A compiled loop cannot create variables, and ``fit`` builds the same
    things before its first step: the layers' weights (by calling the model
    once), the loss's and metrics' states (by computing them once on one
    batch, then resetting them) and the optimizer's slots (momentum, Adam's
    moments). Nothing is trained.
    """
    y_pred = model(x_batch, training=False)
    model.compute_loss(x=x_batch, y=y_batch, y_pred=y_pred)
    model.compute_metrics(x_batch, y_batch, y_pred)
    model.reset_metrics()
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)


def loss_tracker(model: Any) -> Any:
    """The metric that averages the loss over an epoch's batches (``logs["loss"]``)."""
    return next(metric for metric in model.metrics if metric.name == "loss")


class CompiledEpochs:
    """Runs up to ``capacity`` epochs of training in one compiled TensorFlow call.

    An epoch gets its order of the samples (a permutation, drawn in NumPy from
    the run's generator), cuts it into batches of ``batch_size`` with the last
    one partial - exactly as ``model.fit`` batches - and makes one
    :meth:`train_step` per batch. The per-epoch logs are those ``fit`` keeps
    (running means over the epoch's batches); with validation data,
    :meth:`test_step` runs on all of it after each epoch.
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

        self.model = model
        self.n = n = len(x)
        self.batch_size = batch_size = max(1, min(int(batch_size), n))
        build_for_training(model, x[:batch_size], y[:batch_size])
        self.loss = loss_tracker(model)
        self.names = list(model.get_metrics_result())
        self.val_names = [f"val_{name}" for name in self.names] if validation_data else []
        self.width = len(self.names) + len(self.val_names)
        # Every call takes a (capacity, n) block of orders: one shape, one compilation.
        self.capacity = int(min(2048, max(1, 1_000_000 // n)))
        self._tf = tf
        self.use_data(x, y, validation_data)
        self._chunk = tf.function(self.chunk, jit_compile=jit_compile, reduce_retracing=True)

    def use_data(self, x: np.ndarray, y: np.ndarray, validation_data: tuple[np.ndarray, np.ndarray] | None) -> None:
        """The samples the next epochs train on (same shapes as the first ones).

        The data goes in as arguments, not captured constants: XLA would fold
        big constants into the program and compile for seconds.
        """
        self._data = [self._tf.constant(x), self._tf.constant(y)]
        if validation_data:
            self._data += [self._tf.constant(v) for v in validation_data]

    def load(self, model: Any) -> None:
        """Start from ``model``'s weights and optimizer state (a model shaped like this one's)."""
        _copy_state(model, self.model)

    def store(self, model: Any) -> None:
        """Give ``model`` the weights and optimizer state the epochs so far have reached."""
        _copy_state(self.model, model)

    def train_step(self, x: Any, y: Any) -> None:
        """One batch: forward pass, loss, gradients, one optimizer update, metrics."""
        import tensorflow as tf

        model = self.model
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred)  # the compiled loss (+ any layer losses)
        gradients = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply(gradients, model.trainable_variables)
        self.update_metrics(x, y, y_pred, loss)

    def test_step(self, x: Any, y: Any) -> None:
        """Validation: the same loss and metrics, no update."""
        y_pred = self.model(x, training=False)
        self.update_metrics(x, y, y_pred, self.model.compute_loss(x=x, y=y, y_pred=y_pred))

    def update_metrics(self, x: Any, y: Any, y_pred: Any, loss: Any) -> None:
        import tensorflow as tf

        # Weighted by the batch's size, as fit does: the epoch's loss is the mean over samples.
        self.loss.update_state(loss, sample_weight=tf.shape(x)[0])
        self.model.compute_metrics(x, y, y_pred)  # the compiled metrics (accuracy...)

    def one_epoch(self, order: Any, x: Any, y: Any, validation: tuple[Any, Any] | None) -> Any:
        """Train on the samples in ``order`` (a permutation, shape (n,)); the epoch's logs, shape (width,)."""
        import tensorflow as tf

        model, batch_size = self.model, self.batch_size
        full, rest = divmod(self.n, batch_size)
        model.reset_metrics()
        batches = tf.reshape(order[: full * batch_size], (full, batch_size))  # (full, batch_size)

        def step(b):
            self.train_step(tf.gather(x, batches[b]), tf.gather(y, batches[b]))
            return (b + 1,)

        tf.while_loop(lambda b: b < full, step, (tf.constant(0),))
        if rest:  # the last, smaller batch, as fit has it
            last = order[full * batch_size :]
            self.train_step(tf.gather(x, last), tf.gather(y, last))
        logs = model.get_metrics_result()
        values = [tf.cast(logs[name], tf.float32) for name in self.names]
        if validation is not None:
            model.reset_metrics()
            self.test_step(*validation)
            logs = model.get_metrics_result()
            values += [tf.cast(logs[name], tf.float32) for name in self.names]
        return tf.stack(values)

    def chunk(self, orders: Any, count: Any, x: Any, y: Any, *validation: Any) -> Any:
        """The first ``count`` rows of ``orders`` (capacity, n), one epoch each: logs (capacity, width)."""
        import tensorflow as tf

        pair = (validation[0], validation[1]) if validation else None

        def body(i, out):
            row = self.one_epoch(orders[i], x, y, pair)
            return i + 1, tf.tensor_scatter_nd_update(out, [[i]], [row])

        out = tf.zeros((self.capacity, self.width), tf.float32)
        _, out = tf.while_loop(lambda i, _: i < count, body, (tf.constant(0), out))
        return out

    def run(self, orders: np.ndarray) -> np.ndarray:
        """One epoch per row of ``orders`` (count <= capacity, n): their logs, (count, width)."""
        count = len(orders)
        block = np.zeros((self.capacity, self.n), np.int32)
        block[:count] = orders
        return self._chunk(self._tf.constant(block), self._tf.constant(count), *self._data).numpy()[:count]


def _copy_state(source: Any, target: Any) -> None:
    """Weights, optimizer slots, step count and learning rate of ``source`` into ``target``."""
    target.set_weights(source.get_weights())
    for mine, theirs in zip(source.optimizer.variables, target.optimizer.variables, strict=True):
        theirs.assign(mine)


# XLA keeps every program it compiles until the process ends (6-7 MB for
# deep-spiral's), even after the model and the function are gone. Runs whose
# model, optimizer and data have the same shapes (the same lesson run again,
# another seed or learning rate) reuse one compiled program instead: its own
# model is loaded with the new model's state, and hands the result back.
_compiled_programs: dict[str, CompiledEpochs] = {}
_KEEP_PROGRAMS = 8


def forget_compiled_programs() -> None:
    """The next run compiles afresh (tests that need the compiling to happen use it)."""
    _compiled_programs.clear()


def _without_layer_names(config: Any) -> Any:
    """A model's config without its models' and layers' names ("dense_3"), which change
    from run to run and mean nothing to the program (a dtype policy's name stays)."""
    if isinstance(config, list):
        return [_without_layer_names(item) for item in config]
    if not isinstance(config, dict):
        return config
    named_layer = not {"trainable", "layers", "dtype", "batch_shape"}.isdisjoint(config)
    return {key: _without_layer_names(value) for key, value in config.items() if not (named_layer and key == "name")}


def _program_key(model, x, y, batch_size, validation_data) -> str | None:
    """What the compiled program depends on, or None when it cannot be told (no reuse).

    The layers, the loss and metrics, the optimizer's kind and settings (not
    its learning rate: a variable, so state, not program) and the data's shapes.
    """
    try:
        architecture = _without_layer_names(json.loads(model.to_json()))
        optimizer = dict(model.optimizer.get_config())
    except (AttributeError, NotImplementedError, TypeError, ValueError):
        return None
    if not isinstance(model.loss, str):  # a loss object's settings are not in its name
        return None
    optimizer.pop("name", None)
    if isinstance(optimizer.get("learning_rate"), float):
        optimizer.pop("learning_rate")
    compiled_with = architecture.pop("compile_config", None) or {}
    compiled_with.pop("optimizer", None)  # as above
    shapes = [np.shape(x), np.shape(y), [np.shape(v) for v in validation_data or ()]]
    parts = [architecture, compiled_with, type(model.optimizer).__name__, optimizer, model.loss, shapes, batch_size]
    return json.dumps(parts, sort_keys=True, default=str)


def _compiled_epochs(model, x, y, batch_size, validation_data, jit_compile) -> CompiledEpochs:
    """:class:`CompiledEpochs` for ``model``: compiled by a zero-epoch call (which trains
    nothing), or, under XLA, the program compiled for an earlier run of the same shapes.

    If XLA cannot compile the model, fall back to a plain TensorFlow graph.
    """
    key = _program_key(model, x, y, batch_size, validation_data) if jit_compile else None
    reused = _compiled_programs.get(key) if key else None
    if reused is not None:
        build_for_training(model, x[: reused.batch_size], y[: reused.batch_size])
        model.reset_metrics()
        reused.use_data(x, y, validation_data)
        reused.load(model)
        return reused
    compiled = _compile(model, x, y, batch_size, validation_data, jit_compile)
    if key:
        if len(_compiled_programs) >= _KEEP_PROGRAMS:  # the oldest goes (its XLA program stays)
            _compiled_programs.pop(next(iter(_compiled_programs)))
        _compiled_programs[key] = compiled
    return compiled


def _compile(model, x, y, batch_size, validation_data, jit_compile) -> CompiledEpochs:
    import tensorflow as tf

    empty = np.zeros((0, len(x)), np.int32)
    epochs = CompiledEpochs(model, x, y, batch_size, validation_data, jit_compile)
    try:
        epochs.run(empty)
    except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
        if not jit_compile:
            raise
        epochs = CompiledEpochs(model, x, y, batch_size, validation_data, False)
        epochs.run(empty)
    return epochs


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

    A compiled TensorFlow function runs a *chunk* of epochs (see
    :class:`CompiledEpochs`); between chunks - each sized to take about
    ``chunk_seconds`` - every epoch of the chunk is reported
    (``reporter.progress``), ``on_view(model, epoch)`` is called (at most
    every ``view_every`` epochs, and after the last), and Stop is honoured, so
    a run ends within a second.

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
        validation_data = (np.asarray(validation_data[0], "float32"), np.asarray(validation_data[1], "float32"))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    compiled = _while_listening_for_stop(
        reporter, lambda: _compiled_epochs(model, x, y, batch_size, validation_data, bool(jit_compile))
    )
    names = compiled.names + compiled.val_names
    history: dict[str, list[float]] = {}
    # The first view comes after epoch 1: the first epochs are where a model changes most.
    done, count, last_viewed = 0, 8, 1 - view_every
    while done < epochs:
        reporter.check_cancelled()
        # A chunk ends where a view is due, so the views change every view_every epochs.
        due = last_viewed + view_every if on_view is not None else epochs
        count = min(count, epochs - done, compiled.capacity, max(1, due - done))
        orders = np.stack([rng.permutation(len(x)) for _ in range(count)])  # (count, n)
        began = time.perf_counter()
        logs = compiled.run(orders)  # (count, width)
        if compiled.model is not model:  # a program compiled for an earlier run's model
            compiled.store(model)
        per_epoch = (time.perf_counter() - began) / count
        for index, row in enumerate(logs):
            done += 1
            metrics = as_metrics(dict(zip(names, row.tolist())), val_name)
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
    shuffles come from TensorFlow's seed, set by ``seed_everything``;
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
    return {renamed(key, val_name): [float(v) for v in values] for key, values in history.history.items()}
