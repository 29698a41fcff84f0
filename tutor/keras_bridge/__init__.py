"""The one door to Keras: a quiet, lazy import and training reported as tutor reports.

Nothing here imports TensorFlow at module import time. By concern:

* :mod:`~tutor.keras_bridge.runtime` - :func:`import_keras` (TensorFlow backend,
  console noise off), :func:`seed_everything`, :func:`start_keras` (what a Keras
  routine calls first);
* :mod:`~tutor.keras_bridge.callback` - :func:`reporter_callback`, the
  ``keras.callbacks.Callback`` that reports ``model.fit`` (progress per epoch,
  Stop between batches, a view update every few epochs);
* :mod:`~tutor.keras_bridge.fast_loop` - :func:`fast_fit`, the same training
  steps written out as a train step, many epochs per compiled call, for the
  lessons that run thousands of tiny epochs; :func:`train` picks one of the two.

``predict``, ``summary_table`` and ``decision_surface`` are re-exported from
:mod:`tutor.payloads`, where the view payloads are built.
"""

from tutor.keras_bridge.callback import OnView, reporter_callback
from tutor.keras_bridge.fast_loop import fast_fit, train
from tutor.keras_bridge.runtime import import_keras, seed_everything, start_keras
from tutor.keras_status import LOADING_MESSAGE, tensorflow_loaded
from tutor.payloads import decision_surface, predict, summary_table

__all__ = [
    "LOADING_MESSAGE",
    "OnView",
    "decision_surface",
    "fast_fit",
    "import_keras",
    "predict",
    "reporter_callback",
    "seed_everything",
    "start_keras",
    "summary_table",
    "tensorflow_loaded",
    "train",
]
