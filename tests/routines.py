"""Routines for the app tests: a bug, a divergence, a run that lasts until Stop, one deaf to Stop.

They live in their own module so that editing the tests does not move the
line numbers a snapshot of a traceback shows.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from tutor.data.beans import toxicity_beans


# First after the imports, so that nothing added above it moves the line numbers
# the routine-error snapshot shows.
def broken_routine(params, reporter) -> dict:
    """A routine with a bug: it reports two epochs, then fails."""
    for epoch in (1, 2):
        reporter.progress(epoch, 10, loss=1.0 / epoch)
    weights = [0.5, -0.25, 0.125]
    inputs = [1.0, 2.0, 3.0, 4.0]
    if len(weights) != len(inputs):
        raise ValueError(f"weights and inputs do not line up: {len(weights)} vs {len(inputs)}")
    return {}


# A hang guard: an endless run gives up after this many epochs (about ten minutes).
MAX_EPOCHS = 60_000


def diverging_routine(params, reporter) -> dict:
    """The loss blows up on the third epoch, as with a far too large learning rate."""
    for epoch in range(1, 11):
        reporter.progress(epoch, 10, loss=1.0 / epoch if epoch < 3 else float("inf"))
    return {}


def until_stopped(params, reporter) -> dict:
    """Rosenblatt's fit, an epoch every 10 ms, until Stop.

    However fast or slow the machine, the run is still going when a test
    presses Stop or Quit, so those tests never race the end of the run.
    """
    x, y = toxicity_beans(params.rng, params.beans)
    w = params.w0
    line_x = np.array([0.0, 1.0])
    for epoch in range(1, MAX_EPOCHS + 1):
        reporter.check_cancelled()
        w += params.lr * float(np.mean((y - w * x) * x))
        reporter.view(
            "fit",
            points=[{"x": x, "y": y, "label": "beans"}],
            lines=[{"x": line_x, "y": w * line_x, "label": f"y = {w:.3f} x"}],
            title=f"epoch {epoch}: w = {w:.4f}",
        )
        reporter.progress(epoch, MAX_EPOCHS, loss=float(np.mean((y - w * x) ** 2)), w=w)
        time.sleep(0.01)
    return {"w": w}


# deaf_at_first: set when it is busy, and by a test to let it go on.
BUSY = threading.Event()
GO_ON = threading.Event()


def deaf_at_first(params, reporter) -> dict:
    """Busy and deaf to Stop until a test sets ``GO_ON``, as a Keras lesson importing TensorFlow."""
    BUSY.set()
    GO_ON.wait(timeout=60)
    for epoch in range(1, 11):
        reporter.check_cancelled()
        reporter.progress(epoch, 10, loss=1.0 / epoch)
    return {}


# For tests/test_run_worker.py (runs in a worker process: nothing shared with the test's own).


def crashes(params, reporter) -> dict:
    """One epoch, then a segmentation fault (as a broken native library would)."""
    import ctypes

    reporter.progress(1, 10, loss=1.0)
    ctypes.string_at(0)  # reads address 0: SIGSEGV
    return {}


def deaf_for_a_minute(params, reporter) -> dict:
    """One epoch, then busy for a minute without a single check (a compile that cannot listen)."""
    reporter.progress(1, 10, loss=1.0)
    reporter.note("deaf from now on")  # no check between this note and the sleep: Stop goes unheard
    time.sleep(60)
    reporter.check_cancelled()
    return {}
