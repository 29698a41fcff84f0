"""Whether TensorFlow is loaded yet, for the runner: no Keras, no TensorFlow, no UI here.

Before a first Keras run the runner reports "Loading TensorFlow" as a note of the run, which
the app and the headless renderer show like any other report; they import neither this module
nor :mod:`tutor.keras_bridge` (import contracts in ``pyproject.toml`` keep it so). The bridge
holds ``_import_lock`` while it imports TensorFlow.
"""

from __future__ import annotations

import sys
import threading

from tutor.i18n import N_

_import_lock = threading.Lock()

LOADING_MESSAGE = N_("Loading TensorFlow (~5 s)…")  # short: it fits the status line at 80 columns


def tensorflow_loaded() -> bool:
    """Has this process imported TensorFlow yet? (The first Keras run waits for it.)"""
    # While import_keras runs, "tensorflow" is already in sys.modules, half loaded.
    return "tensorflow" in sys.modules and not _import_lock.locked()
