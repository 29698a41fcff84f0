"""The one door to Keras: quiet, lazy import and training reported as tutor reports.

Nothing here imports TensorFlow at module import time; :func:`import_keras`
does it, once, when a Keras lesson runs.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from tutor.reporting import Reporter

_import_lock = threading.Lock()


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
        return keras


def seed_everything(seed: int) -> None:
    """Keras' own initialisers and shuffles follow the run's seed."""
    import_keras().utils.set_random_seed(seed)
