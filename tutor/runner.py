"""Run a lesson's routine and keep what it reported.

The runner is shared by every renderer: it resolves parameters, seeds the
random generator, folds reports into a :class:`RunState` a renderer can read
at its own pace, turns Stop, divergence and errors into a run status, and
judges the lesson's challenge. It imports no UI.
"""

from __future__ import annotations

import datetime as _dt
import platform
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from tutor import __version__
from tutor.lessons import Lesson
from tutor.reporting import Cancelled, Diverged, Note, Progress, Report, Reporter, ViewUpdate

FINISHED, STOPPED, DIVERGED, FAILED = "finished", "stopped", "diverged", "failed"


class TutorError(Exception):
    """A problem the learner can fix (missing data, a bad weights file...).

    Its message is shown as it is, without a traceback.
    """


@dataclass(frozen=True)
class Params(Mapping[str, Any]):
    """The parameters a routine runs with, read as ``params.lr`` or ``params["lr"]``.

    ``rng`` is the only source of randomness a routine may use; it is seeded
    from ``seed`` so the same seed gives the same data and the same numbers.
    """

    values: Mapping[str, Any]
    seed: int = 0
    rng: np.random.Generator = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.rng is None:
            object.__setattr__(self, "rng", np.random.default_rng(self.seed))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


class RunState:
    """Everything reported so far, folded into the latest state of each view.

    The routine's thread writes (``apply``); a renderer reads ``snapshot()``
    whenever it redraws. A lock keeps the two from tearing each other's data.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.progress: Progress | None = None
        self.history: list[dict[str, float]] = []
        self.views: dict[str, Mapping[str, Any]] = {}
        self.notes: list[str] = []
        self.version = 0

    def apply(self, report: Report) -> None:
        with self._lock:
            self.version += 1
            if isinstance(report, Progress):
                self.progress = report
                if report.record:
                    self.history.append({"step": report.step, **report.metrics})
            elif isinstance(report, ViewUpdate):
                self.views[report.view] = report.data
            elif isinstance(report, Note):
                self.notes.append(report.text)

    def snapshot(self) -> "Snapshot":
        with self._lock:
            return Snapshot(self.version, self.progress, list(self.history), dict(self.views), list(self.notes))


@dataclass(frozen=True)
class Snapshot:
    version: int
    progress: Progress | None
    history: list[dict[str, float]]
    views: dict[str, Mapping[str, Any]]
    notes: list[str]


@dataclass
class RunRecord:
    """One run, as saved, compared and written with ``--json``."""

    lesson: str
    params: dict[str, Any]
    seed: int
    status: str = FINISHED
    history: list[dict[str, float]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    challenge_met: bool | None = None
    challenge: str = ""
    error: str | None = None
    traceback: str | None = None
    started: str = ""
    seconds: float = 0.0
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in (FINISHED, STOPPED)

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def versions() -> dict[str, str]:
    found = {"tutor": __version__, "python": platform.python_version(), "numpy": np.__version__}
    # Only report TensorFlow if this run already imported it: never import it here.
    for name in ("keras", "tensorflow"):
        module = sys.modules.get(name)
        if module is not None:
            found[name] = getattr(module, "__version__", "?")
    return found


def run_lesson(
    lesson: Lesson,
    values: Mapping[str, Any],
    seed: int | None = None,
    *,
    state: RunState | None = None,
    on_report: Callable[[Report, RunState], None] | None = None,
    cancel: threading.Event | None = None,
) -> RunRecord:
    """Run ``lesson``'s routine with resolved ``values``; never raises for routine errors.

    ``on_report`` is called in this thread after each report is folded into
    ``state``: a renderer uses it to decide (by time) whether to redraw.
    """
    seed = lesson.seed if seed is None else seed
    state = state or RunState()
    record = new_record(lesson, values, seed)

    def sink(report: Report) -> None:
        state.apply(report)
        if on_report is not None:
            on_report(report, state)

    reporter = Reporter(sink, cancel)
    began = time.perf_counter()
    try:
        routine = lesson.load_routine()
        # Overflow is how divergence looks from inside; the reporter turns it
        # into a clear message instead of NumPy warnings on the terminal.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = routine(Params(dict(values), seed), reporter)
        record.result = dict(_jsonable(dict(result or {})))
    except Cancelled:
        record.status = STOPPED
    except Diverged as error:
        record.status, record.error = DIVERGED, str(error)
    except TutorError as error:
        record.status, record.error = FAILED, str(error)
    except Exception as error:  # a routine bug must not take the renderer down
        record.status = FAILED
        record.error = f"{type(error).__name__}: {error}"
        record.traceback = traceback.format_exc()
    record.seconds = round(time.perf_counter() - began, 3)
    record.history = state.snapshot().history
    record.versions = versions()
    if record.status == FINISHED:
        record.challenge_met = judge(lesson, record)
    return record


def new_record(lesson: Lesson, values: Mapping[str, Any], seed: int) -> RunRecord:
    """The record of a run starting now (its status is FINISHED until it ends otherwise)."""
    return RunRecord(
        lesson=lesson.id,
        params=dict(values),
        seed=seed,
        challenge=lesson.challenge.goal,
        started=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    )


def judge(lesson: Lesson, record: RunRecord) -> bool | None:
    """Did the run meet the challenge? ``None`` (with an error) if the result lacks a key."""
    try:
        return lesson.challenge.met(record.result)
    except KeyError as missing:
        record.error = f"the challenge reads {missing} which the routine did not return"
        return None
    except (TypeError, ValueError, ZeroDivisionError) as error:
        record.error = f"the challenge could not be judged: {error}"
        return None
