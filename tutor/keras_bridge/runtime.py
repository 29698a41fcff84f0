"""Keras, loaded lazily, quietly, always on TensorFlow, and seeded from the run.

Nothing here imports TensorFlow at module import time: :func:`import_keras`
does it, once, when a Keras lesson runs (``import tutor``, ``--help`` and the
first screen never pay for it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from tutor.keras_status import _import_lock
from tutor.routine_types import Reporter


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
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
    """Import Keras on the TensorFlow backend, with its console noise switched off.

    The fast loop and the callbacks are TensorFlow's, so an inherited
    ``KERAS_BACKEND=jax`` or ``torch`` is overridden (it would fail later with
    an obscure traceback). Only TensorFlow's and Keras' own loggers are
    quietened; Python's warning filters are left as the process has them.
    """
    with _import_lock:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # C++ INFO/WARNING/ERROR lines
        os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
        os.environ["KERAS_BACKEND"] = "tensorflow"
        with _stderr_silenced():
            import keras
            import tensorflow as tf

        tf.get_logger().setLevel("ERROR")  # retracing notices and the like
        tf.autograph.set_verbosity(0)
        keras.utils.disable_interactive_logging()  # no progress bars on stdout
        return keras


def seed_everything(seed: int) -> None:
    """Keras' own initialisers and shuffles follow the run's seed."""
    import_keras().utils.set_random_seed(seed)


def start_keras(reporter: Reporter, seed: int) -> Any:
    """What a Keras routine does first: import Keras (quietly), honour a Stop
    pressed while it loaded (seconds, the first time), seed Keras from the run."""
    keras = import_keras()
    reporter.check_cancelled()
    # Each run builds new models: drop the previous runs' models, graphs and
    # layer names, or memory grows with every run in a long-lived app.
    keras.backend.clear_session()
    _release_traced_gradients()
    seed_everything(seed)
    return keras


def _release_traced_gradients() -> None:
    """Let the previous runs' traced training graphs go (about 10 MB a LeNet-5 run).

    Every traced optimizer step calls ``all_reduce`` (Keras' TensorFlow
    optimizer does, even on one device), which TensorFlow wraps in a
    ``tf.custom_gradient``; in a graph, that registers a gradient function
    named ``CustomGradient-<n>`` in TensorFlow's process-wide gradient
    registry, and the function holds the whole traced graph. Nothing ever
    unregisters it, so ``clear_session`` alone frees no graph (see
    ``benchmarks/keras_memory.py``). A new run starts after the previous one
    has ended, so those registrations belong to graphs nobody will run or
    differentiate again. There is no public call for this: if TensorFlow's
    registry changes shape, nothing is released (memory grows as before).
    """
    from tensorflow.python.framework import ops

    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    if not isinstance(registry, dict):
        return
    for name in [name for name in registry if str(name).startswith("CustomGradient-")]:
        registry.pop(name, None)
