"""How a routine talks to whoever watches it.

A routine never draws. It tells a :class:`Reporter` what happened - progress
(step, total, metrics) and view updates (the data a view should show now) -
and asks it whether the learner pressed Stop. Renderers (headless or Textual)
subscribe to the reports; this module imports neither of them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tutor.views import check_view

# Past this a metric has exploded, even if it is still a finite float.
EXPLODED = 1e30


class TutorError(Exception):
    """A problem the learner can fix (missing data, a bad weights file...), raised by a
    routine or a data loader. Its message is shown as it is, without a traceback."""


class Cancelled(Exception):
    """Raised inside a routine when the learner asked it to stop."""


class Diverged(ArithmeticError):
    """Raised when a reported metric becomes NaN or infinite."""

    def __init__(self, metric: str, value: float, step: int, unit: str) -> None:
        self.metric, self.value, self.step, self.unit = metric, value, step, unit
        super().__init__(
            f"{metric} became {value:.3g} at {unit} {step}: the training diverged. "
            "Try a smaller learning rate (lr) or fewer/larger steps."
        )


@dataclass(frozen=True)
class Progress:
    """How far the routine is: ``step`` of ``total`` units, with metrics."""

    step: int
    total: int
    metrics: Mapping[str, float] = field(default_factory=dict)
    unit: str = "epoch"
    # History points go into the run record (and the loss view); per-batch
    # progress can set it False so only epochs are recorded.
    record: bool = True
    # Not recorded, but a frame of the timeline: the views as they are at this point
    # inside the step under way (where one epoch holds the story, e.g. bean by bean).
    frame: bool = False


@dataclass(frozen=True)
class ViewUpdate:
    """New data for one view: it replaces what the view showed before."""

    view: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Note:
    """A line of text for the learner (e.g. "loaded cached weights")."""

    text: str


Report = Progress | ViewUpdate | Note
Sink = Callable[[Report], None]


class RunControl:
    """Stop, Pause and Step for one run, shared by the routine's thread and a renderer.

    The routine meets it at every check (each epoch and batch): there it raises
    :class:`Cancelled` after Stop, and while paused it waits on a condition
    variable (no CPU) until Resume, Step or Stop. Step lets exactly one more
    progress report through, then the routine waits again right after it.
    """

    def __init__(self, cancel: threading.Event | None = None) -> None:
        self.cancel_event = cancel or threading.Event()
        self._changed = threading.Condition()
        self._paused = False
        self._steps = 0  # progress reports allowed through while paused
        self.waiting = False  # the routine is parked at a check (paused there)

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    @property
    def paused(self) -> bool:
        return self._paused

    def stop(self) -> None:
        self.cancel_event.set()
        with self._changed:
            self._changed.notify_all()

    def pause(self) -> None:
        with self._changed:
            self._paused, self._steps = True, 0

    def resume(self) -> None:
        with self._changed:
            self._paused, self._steps = False, 0
            self._changed.notify_all()

    def step(self) -> None:
        """Pause if running, and let the routine go on to its next progress report."""
        with self._changed:
            self._paused = True
            self._steps += 1
            self._changed.notify_all()

    def checkpoint(self, reported: bool = False) -> None:
        """Where the routine honours Stop and Pause; ``reported``: a progress report was just sent."""
        if self._paused:
            with self._changed:
                if reported and self._steps > 0:
                    self._steps -= 1
                while self._paused and self._steps == 0 and not self.cancel_event.is_set():
                    self.waiting = True
                    # A timeout too: a Stop flag set directly on the event wakes it within 0.2 s.
                    self._changed.wait(0.2)
                self.waiting = False
        if self.cancel_event.is_set():
            raise Cancelled()


class Reporter:
    """What a routine gets to report through and to check for Stop.

    ``sink`` receives every report, in the routine's thread: it must be cheap
    (store it, or post it to a UI); throttling is the renderer's business.
    ``control`` is the run's :class:`RunControl` (or just a Stop event).
    """

    def __init__(self, sink: Sink | None = None, control: RunControl | threading.Event | None = None) -> None:
        self._sink = sink or (lambda report: None)
        self.control = control if isinstance(control, RunControl) else RunControl(control)

    @property
    def cancel_event(self) -> threading.Event:
        return self.control.cancel_event

    @property
    def cancelled(self) -> bool:
        return self.control.cancelled

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` after Stop, wait while paused: call it every epoch and batch."""
        self.control.checkpoint()

    def progress(
        self, step: int, total: int, unit: str = "epoch", record: bool = True, frame: bool = False, **metrics: float
    ) -> None:
        """Report progress; a NaN or infinite metric ends the run as :class:`Diverged`.

        ``frame=True`` (with ``record=False``): see :meth:`frame`.
        """
        clean = {name: float(value) for name, value in metrics.items()}
        for name, value in clean.items():
            if not math.isfinite(value) or abs(value) > EXPLODED:
                raise Diverged(name, value, step, unit)
        inner = frame and not record
        self._sink(Progress(step, total, clean, unit, record, inner))
        self.control.checkpoint(reported=not inner)  # Step goes on to the next progress, past inner frames

    def frame(self, step: int = 0, total: int = 1, unit: str = "epoch", **metrics: float) -> None:
        """Keep the views as they are now as a frame of the replay, ``step`` of ``total``
        ``unit``s into the step under way (0: before it starts, e.g. the untrained model;
        ``frame(0, epochs)`` before the first epoch), so that a step that holds the story -
        the first epoch, bean by bean - can be watched. Nothing is recorded in the
        history; Step (while paused) goes on past it."""
        self.progress(step, total, unit, record=False, frame=True, **metrics)

    def view(self, view: str, **data: Any) -> None:
        """Send a view its new data. Pass fresh arrays, not buffers you keep changing.

        An unknown kind or a missing required key (tutor/views.py) raises here, in the
        routine, so the traceback points at the call with the bug.
        """
        check_view(view, data)
        self._sink(ViewUpdate(view, data))

    def note(self, text: str) -> None:
        self._sink(Note(text))
