"""Whether TensorFlow is loaded yet, for the renderers: no Keras, no TensorFlow, no UI here.

The app and the headless renderer say "Loading TensorFlow" before a first Keras run; they ask
this module, never :mod:`tutor.keras_bridge` (an import contract in ``pyproject.toml`` keeps it
so). The bridge holds ``_import_lock`` while it imports TensorFlow.
"""

from __future__ import annotations

import sys
import threading

_import_lock = threading.Lock()

LOADING_MESSAGE = "Loading TensorFlow (~5 s)…"  # short: it fits the status line at 80 columns


def tensorflow_loaded() -> bool:
    """Has this process imported TensorFlow yet? (The first Keras run waits for it.)"""
    # While import_keras runs, "tensorflow" is already in sys.modules, half loaded.
    return "tensorflow" in sys.modules and not _import_lock.locked()
