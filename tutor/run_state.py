"""What a run has computed so far: the state its routine reported, read by renderers at their pace.

The run's thread folds each report into a :class:`RunState` (``apply``); a renderer reads a
:class:`Snapshot` and the timeline's frames whenever it draws. Nothing here runs anything: the
runner (:mod:`tutor.runner`) owns the run.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tutor.reporting import Diverged, Note, Progress, Report, ViewUpdate
from tutor.timeline import MAX_FRAMES, Frame, Pace, Timeline

# A NaN or infinite metric is kept in the history as this: finite, so JSON stays valid.
BLOWN_UP = 1e300


class RunState:
    """Everything reported so far: the latest state of each view, the complete
    metric history, and the run's timeline of frames.

    The routine's thread writes (``apply``); a renderer reads ``snapshot()``
    and ``frames()`` at its own pace. A lock keeps the two from tearing each
    other's data. A frame is taken at every recorded step (an epoch): the views
    as they are then, so routines need not do anything to be replayable.
    """

    def __init__(self, capacity: int = MAX_FRAMES) -> None:
        self._lock = threading.Lock()
        self.progress: Progress | None = None
        self.latest: dict[str, Progress] = {}  # the latest progress of each unit (epoch, batch)
        self.history: list[dict[str, float]] = []
        self.views: dict[str, Mapping[str, Any]] = {}
        self.notes: list[str] = []
        self.version = 0
        self.timeline = Timeline(capacity)
        self.pace = Pace()
        self._framed_version = 0  # the version the newest frame shows

    def apply(self, report: Report) -> None:
        with self._lock:
            self.version += 1
            if isinstance(report, Progress) and report.frame:
                self._add_inner_frame(report)  # a replay's frame, not the run's progress
            elif isinstance(report, Progress):
                self.progress = report
                if report.record:  # an epoch ended: the batches reported so far were its own
                    self.latest = {unit: p for unit, p in self.latest.items() if p.record}
                self.latest[report.unit] = report
                self.pace.observe(report, time.monotonic())
                if report.record:
                    self.history.append({"step": report.step, **report.metrics})
                    self._add_frame(report)
            elif isinstance(report, ViewUpdate):
                self.views[report.view] = report.data
            elif isinstance(report, Note):
                self.notes.append(report.text)

    def _add_frame(self, progress: Progress) -> None:
        self.timeline.add(
            Frame(
                progress.step,
                progress.total,
                progress.unit,
                dict(self.views),
                len(self.history),
                dict(progress.metrics),
            )
        )
        self._framed_version = self.version

    def _add_inner_frame(self, inner: Progress) -> None:
        """A frame inside the step under way (at its start: the last recorded step's, or step 0)."""
        recorded = next((p for p in self.latest.values() if p.record), None)
        step = (recorded.step if recorded is not None else 0) + (1 if inner.step > 0 else 0)
        total, unit = (recorded.total, recorded.unit) if recorded is not None else (inner.total, "epoch")
        self.timeline.add(
            Frame(step, total, unit, dict(self.views), len(self.history), dict(inner.metrics), inner=inner)
        )
        self._framed_version = self.version

    def diverged(self, error: Diverged) -> None:
        """Keep the blow-up on the loss curve (as a finite number), and the views of
        the last finite frame: those sent with the exploding step may hold 1e30s."""
        with self._lock:
            value = error.value if math.isfinite(error.value) else math.copysign(BLOWN_UP, error.value)
            if math.isnan(error.value):
                value = BLOWN_UP
            last_step = self.history[-1]["step"] if self.history else 0
            step = error.step if error.step > last_step else last_step + 1
            self.history.append({"step": step, error.metric: float(max(-BLOWN_UP, min(BLOWN_UP, value)))})
            if self.timeline.newest is not None:
                self.views = dict(self.timeline.newest.views)
            self.version += 1

    def close(self) -> None:
        """The run ended: views sent after the last recorded step (or by a routine
        that records none) become the last frame."""
        with self._lock:
            if self.version != self._framed_version or self.timeline.newest is None:
                last = self.timeline.newest
                step, total, unit = (last.step, last.total, last.unit) if last else (0, 0, "epoch")
                metrics, inner = (dict(last.metrics), last.inner) if last else ({}, None)
                self.timeline.add(Frame(step, total, unit, dict(self.views), len(self.history), metrics, inner))
                self._framed_version = self.version

    def frames(self) -> list[Frame]:
        with self._lock:
            return self.timeline.frames()

    def eta(self) -> float | None:
        with self._lock:
            return self.pace.eta(self.latest)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(
                self.version, self.progress, list(self.history), dict(self.views), list(self.notes), dict(self.latest)
            )


@dataclass(frozen=True)
class Snapshot:
    version: int
    progress: Progress | None
    history: list[dict[str, float]]
    views: dict[str, Mapping[str, Any]]
    notes: list[str]
    latest: dict[str, Progress] = field(default_factory=dict)
