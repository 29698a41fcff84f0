"""Run a lesson's routine and keep what it reported.

The runner is shared by every renderer: it resolves parameters, seeds the
random generator, folds reports into a :class:`RunState` a renderer can read
at its own pace, turns Stop, divergence and errors into a run status, and
judges the lesson's challenge. It imports no UI.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from tutor import __version__
from tutor.course import Lesson
from tutor.i18n import _
from tutor.keras_status import LOADING_MESSAGE, tensorflow_loaded
from tutor.records import DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, to_builtins
from tutor.reporting import (
    Cancelled,
    Diverged,
    Note,
    Progress,
    Report,
    Reporter,
    RunControl,
    TutorError,
    ViewUpdate,
)
from tutor.timeline import MAX_FRAMES, Frame, Pace, Timeline


class Params(Mapping[str, Any]):
    """The parameters a routine runs with, read as ``params.lr`` or ``params["lr"]``.

    A read-only mapping of the lesson's parameters, plus two attributes:
    ``seed``, and ``rng``, the only source of randomness a routine may use
    (seeded from ``seed``, so the same seed gives the same data and numbers).
    The loader refuses parameter names that would shadow them (``seed``,
    ``rng``, the mapping's methods), so both ways of reading always agree.
    """

    __slots__ = ("_values", "seed", "rng")

    def __init__(self, values: Mapping[str, Any], seed: int = 0, rng: np.random.Generator | None = None) -> None:
        self._values = dict(values)
        self.seed = seed
        self.rng = rng if rng is not None else np.random.default_rng(seed)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Params({self._values!r}, seed={self.seed})"


if TYPE_CHECKING:  # what a routine is given fits what it is typed to take (mypy checks it)
    from tutor import routine_types

    _params: routine_types.Params = Params({})


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
    control: RunControl | None = None,
    routine: Callable[..., Any] | None = None,
) -> RunRecord:
    """Run ``lesson``'s routine with resolved ``values``; never raises for routine errors.

    ``on_report`` is called in this thread after each report is folded into
    ``state``. ``control`` (or just a ``cancel`` event) carries Stop, Pause and Step.
    ``routine``: run this instead of the lesson's own (the lesson's routine with the
    learner's exercise functions in it); the record says so (``mine``).
    """
    seed = lesson.seed if seed is None else seed
    state = state or RunState()
    record = new_record(lesson, values, seed)
    record.mine = routine is not None

    def sink(report: Report) -> None:
        state.apply(report)
        if on_report is not None:
            on_report(report, state)

    reporter = Reporter(sink, control or cancel)
    began = time.perf_counter()
    try:
        routine = routine or lesson.load_routine()
        if lesson.backend == "keras" and not tensorflow_loaded():
            # The renderers say so as a report: they never ask Keras' side themselves.
            reporter.note(LOADING_MESSAGE)
        # Overflow is how divergence looks from inside; the reporter turns it
        # into a clear message instead of NumPy warnings on the terminal.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = routine(Params(dict(values), seed), reporter)
        record.result = checked_result(result)
    except Cancelled:
        record.status = STOPPED
    except Diverged as error:
        record.status, record.error = DIVERGED, str(error)
        state.diverged(error)
    except TutorError as error:
        record.status, record.error = FAILED, str(error)
    except Exception as error:  # a routine bug must not take the renderer down
        record.status = FAILED
        record.error = f"{type(error).__name__}: {error}"
        record.traceback = traceback.format_exc()
    state.close()
    record.seconds = round(time.perf_counter() - began, 3)
    record.history = state.snapshot().history
    record.versions = versions()
    if record.status == FINISHED:
        record.challenge_met = judge(lesson, record)
    elif record.mine and record.status in (DIVERGED, FAILED):
        # The advice above is about the tutor's own code; here the learner's functions ran.
        record.error = (
            f"{record.error or record.status}\nThis run used your own functions: check them first "
            "(a sign error walks uphill, away from the answer); the checks say what they find."
        )
    return record


def checked_result(result: Any) -> dict[str, Any]:
    """The routine's result as JSON-ready values, or a :class:`TypeError` naming what is not."""
    if result is None:
        return {}
    if not isinstance(result, Mapping):
        raise TypeError(f"the routine returned {type(result).__name__}, not a dict of results")
    try:
        return dict(to_builtins(dict(result)))
    except (TypeError, ValueError, RecursionError) as error:
        raise TypeError(f"the routine's result cannot be saved: {error}") from None


def new_record(lesson: Lesson, values: Mapping[str, Any], seed: int) -> RunRecord:
    """The record of a run starting now (its status is FINISHED until it ends otherwise)."""
    return RunRecord(
        lesson=lesson.id,
        params=dict(values),
        seed=seed,
        challenge=lesson.challenge.goal,
        started=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    )


def judge(lesson: Lesson, record: RunRecord) -> bool | None:
    """Did the run meet the challenge? ``None`` (with an error) if the result lacks a key.

    A result that is not a number (nan, from a learner's softmax that overflowed) never
    meets a challenge, whatever the other figures say.
    """
    not_numbers = sorted(name for name, value in record.result.items() if isinstance(value, float) and value != value)
    if not_numbers:
        record.error = f"{', '.join(not_numbers)} came out as nan (not a number): a challenge needs real numbers"
        return False
    try:
        return lesson.challenge.met(record.result)
    except KeyError as missing:
        record.error = f"the challenge reads {missing} which the routine did not return"
        return None
    except (TypeError, ValueError, ZeroDivisionError) as error:
        record.error = f"the challenge could not be judged: {error}"
        return None


# ---------------------------------------------------------------- a run and its owner

# After Stop, how long to wait for the routine to end. One deaf to Stop for
# longer (importing TensorFlow takes seconds) is let go: the run is recorded as
# stopped, and the routine ends by itself at its next check.
STOP_GRACE = 1.0  # seconds


class RunSession:
    """One run of a lesson, from start to record: the single owner of its thread,
    Stop, Pause/Step, state (views, history, timeline) and final record.

    Renderers start it, read ``state`` at their own pace and call the controls;
    ``on_end(record)`` is called in the routine's thread when it ends (a UI posts
    a message from there). Nothing here imports a UI.
    """

    def __init__(
        self,
        lesson: Lesson,
        values: Mapping[str, Any],
        seed: int | None = None,
        *,
        on_end: Callable[[RunRecord], None] | None = None,
        routine: Callable[..., Any] | None = None,
    ) -> None:
        """``routine``: run this instead of the lesson's own (see :func:`run_lesson`)."""
        self.lesson = lesson
        self.routine = routine
        self.values = dict(values)
        self.seed = lesson.seed if seed is None else seed
        self.state = RunState()
        self.control = RunControl()
        self.record: RunRecord | None = None
        self.let_go_record: RunRecord | None = None
        self._on_end = on_end
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.began = 0.0

    # ------------------------------------------------------------ lifecycle

    def start(self) -> RunSession:
        self.began = time.perf_counter()
        # A daemon: a routine let go after Stop must not keep the process alive.
        self._thread = threading.Thread(target=self._work, name=f"tutor-routine-{self.lesson.id}", daemon=True)
        _sessions.add(self)
        self._thread.start()
        return self

    def _work(self) -> None:
        try:
            self.record = run_lesson(
                self.lesson, self.values, self.seed, state=self.state, control=self.control, routine=self.routine
            )
        finally:
            self._done.set()
            _sessions.discard(self)
        if self._on_end is not None:
            self._on_end(self.record)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def computing(self) -> bool:
        """Started, not ended, and not let go."""
        return self._thread is not None and not self.done and self.let_go_record is None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait (interruptibly: an Event, not Thread.join, which Ctrl+C can break, gh-90882)."""
        return self._done.wait(timeout)

    # ------------------------------------------------------------ controls

    def stop(self) -> None:
        self.control.stop()

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def step(self) -> None:
        self.control.step()

    @property
    def paused(self) -> bool:
        return self.control.paused

    @property
    def stopping(self) -> bool:
        return self.control.cancelled and not self.done

    def end(self, grace: float = STOP_GRACE) -> RunRecord:
        """Stop, wait up to ``grace`` seconds, and return the record - the routine's own,
        or, for a routine deaf to Stop that long, a stopped one with what it reported."""
        self.stop()
        if self.wait(grace) and self.record is not None:
            return self.record
        return self.let_go()

    def let_go(self) -> RunRecord:
        """Stop waiting for a routine that cannot listen yet; its run is recorded as stopped."""
        if self.record is not None:
            return self.record
        if self.let_go_record is None:
            self.stop()
            self.state.close()
            record = new_record(self.lesson, self.values, self.seed)
            record.status, record.history = STOPPED, self.state.snapshot().history
            record.mine = self.routine is not None
            record.seconds, record.versions = round(time.perf_counter() - self.began, 3), versions()
            self.let_go_record = record
        return self.let_go_record

    @property
    def final_record(self) -> RunRecord | None:
        return self.record or self.let_go_record


_sessions: set[RunSession] = set()  # runs whose routine is still in its thread


def routines_still_running() -> bool:
    """Is any routine (a let-go one, typically) still busy in its thread?"""
    return bool(_sessions)


def exit_leaving_busy_routines(code: int) -> None:
    """End the process now if a let-go routine is still busy (importing TensorFlow).

    Its run is already recorded as stopped; waiting for it would leave the
    terminal hanging for seconds, and finalising Python under its feet can crash.
    """
    if routines_still_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


# ---------------------------------------------------------------- before and between runs


def preview_views(lesson: Lesson, values: Mapping[str, Any], seed: int | None = None) -> dict[str, Any]:
    """The data views a lesson shows before its first run (the beans, the spiral...).

    A routine module may define ``preview(params, reporter)``, which sends only
    data views, quickly and without TensorFlow. Returns {} when there is none
    or it fails: a preview is a courtesy, never an error.
    """
    state = RunState()
    try:
        routine = lesson.load_routine()
        preview = getattr(routine, "__globals__", {}).get("preview")  # from the routine's own module
        if preview is None:
            return {}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            preview(Params(dict(values), lesson.seed if seed is None else seed), Reporter(state.apply))
    except Exception:  # noqa: BLE001 - the run itself will report the problem
        return {}
    return state.snapshot().views


def describe_run(run: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    """A short label for an earlier run: what differed from ``current`` and how it ended.

    E.g. ``lr=0.5 · loss 0.0021`` or ``same settings · stopped``.
    """
    params = run.get("params") or {}
    changed = [f"{name}={params[name]}" for name in params if name in current and params[name] != current[name]]
    what = " ".join(changed[:2]) + (" …" if len(changed) > 2 else "") if changed else _("same settings")
    if run.get("mine"):
        what = _("your code · {what}").format(what=what)
    if run.get("status") not in (None, FINISHED):
        return f"{what} · {_(str(run['status']))}"  # the status words are marked in tutor.watching
    history = run.get("history") or []
    last = history[-1] if history else {}
    metric = next((name for name in last if "loss" in name or "cost" in name), None)
    return f"{what} · {metric} {last[metric]:.3g}" if metric else what
