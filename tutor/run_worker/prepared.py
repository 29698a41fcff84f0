"""One worker prepared ahead, with TensorFlow imported, for the next run of a Keras lesson.

Importing TensorFlow takes 5-10 s. While a Keras lesson is open (the app calls
:func:`prepare` when a lesson opens), one worker imports it in the background and rehearses the
lesson's run up to its first epoch (Keras builds, traces and compiles what that run needs); the
next Keras run takes it (:func:`take`) and a fresh one is prepared when that run ends. It is
ended when a lesson without Keras opens (the app then holds no TensorFlow at all), when the
tutor exits, and after :data:`PREPARED_IDLE` seconds unused (a served session left open on
a Keras lesson gives its memory back; the next Run then loads TensorFlow again, and says so).
"""

from __future__ import annotations

import atexit
import os
import threading
import time

from tutor.run_worker import protocol
from tutor.run_worker.process import WorkerProcess, worker_environment

PREPARED_IDLE = 300.0  # seconds a prepared worker waits unused; then it exits by itself
# A worker this close to its idle end is not taken for a run: it could exit as the run starts.
_TAKE_MARGIN = 30.0

_lock = threading.Lock()
_prepared: WorkerProcess | None = None
_wanted: protocol.Start | None = None  # a Keras lesson is open: keep one prepared, rehearsing this run


def prepare(rehearsal: protocol.Start | None) -> None:
    """A Keras lesson is open (``rehearsal``: its run as it would start now): have a worker ready,
    rehearsing that run; None: no Keras lesson is open, end the one kept."""
    global _wanted, _prepared
    with _lock:
        _wanted = rehearsal
        if _prepared is not None and not (rehearsal is not None and _fresh(_prepared)):
            _end(_prepared)
            _prepared = None
        if rehearsal is None:
            return
        try:
            if _prepared is None:
                _prepared = WorkerProcess.start(prepare=True, idle=PREPARED_IDLE)
            _prepared.rehearse(rehearsal)
        except OSError:  # the run will start its own worker, and say what went wrong
            _end(_prepared)
            _prepared = None


def take() -> WorkerProcess | None:
    """The prepared worker for a run starting now (still loading, perhaps), or None."""
    global _prepared
    with _lock:
        worker, _prepared = _prepared, None
    if worker is not None and _fresh(worker):
        return worker
    _end(worker)
    return None


def run_ended() -> None:
    """A Keras run ended: prepare the next one's worker if a Keras lesson is still open."""
    with _lock:
        wanted = _wanted if _prepared is None else None
    if wanted is not None:
        prepare(wanted)


def end() -> None:
    """End the prepared worker, and prepare no other (the tutor is exiting)."""
    global _prepared, _wanted
    with _lock:
        worker, _prepared, _wanted = _prepared, None, None
    _end(worker)


def prepared() -> WorkerProcess | None:
    """The worker kept ready now (for tests and benchmarks that wait for it)."""
    return _prepared


def _fresh(worker: WorkerProcess) -> bool:
    """Alive, not about to end by itself, and started as a worker started now would be."""
    young = time.monotonic() - worker.started_at < PREPARED_IDLE - _TAKE_MARGIN
    return young and worker.started_with == (worker_environment(), os.getcwd()) and worker.alive


def _end(worker: WorkerProcess | None) -> None:
    if worker is not None:
        worker.kill()
        worker.close()


atexit.register(end)
