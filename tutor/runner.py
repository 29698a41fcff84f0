"""Run a lesson's routine and keep what it reported.

The runner is shared by every renderer: it resolves parameters, seeds the
random generator, folds reports into a :class:`RunState` a renderer can read
at its own pace, turns Stop, divergence and errors into a run status, and
judges the lesson's challenge. It imports no UI.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tutor import __version__, i18n
from tutor.course import Lesson
from tutor.i18n import N_, _
from tutor.keras_status import LOADING_MESSAGE, tensorflow_loaded
from tutor.records import DIVERGED, FAILED, FINISHED, STOPPED, RunRecord, RunStatus, to_builtins
from tutor.reporting import (
    Cancelled,
    Diverged,
    Note,
    Report,
    Reporter,
    RunControl,
    TutorError,
)
from tutor.run_state import RunState
from tutor.run_worker import confined, prepared, protocol
from tutor.run_worker.process import WorkerProcess
from tutor.run_worker.protocol import LearnerCode
from tutor.run_worker.relay import RelayedControl, relay
from tutor.views import display_name

# What a run of the learner's code that met the challenge says instead of "lesson passed".
MET_WITH_YOUR_CODE = N_(
    "Your code met the challenge. The lesson is passed by a run of the tutor's own code (Run), "
    "your exercise by its checks: a run of your code computes its results where your code could change them."
)


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


def versions() -> dict[str, str]:
    found = {"tutor": __version__, "python": platform.python_version(), "numpy": np.__version__}
    # Only report TensorFlow if this run already imported it: never import it here.
    for name in ("keras", "tensorflow"):
        module = sys.modules.get(name)
        if module is not None:
            found[name] = getattr(module, "__version__", "?")
    return found


@dataclass
class Outcome:
    """How a routine ended, before it becomes a record: in this process or in a worker."""

    status: RunStatus = FINISHED
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    diverged: Diverged | None = None


def execute(
    load_routine: Callable[[], Callable[..., Any]],
    backend: str,
    values: Mapping[str, Any],
    seed: int,
    reporter: Reporter,
) -> Outcome:
    """Load the routine and run it; never raises for routine errors (they are the outcome)."""
    try:
        routine = load_routine()
        if backend == "keras" and not tensorflow_loaded():
            # The renderers say so as a report: they never ask Keras' side themselves.
            reporter.note(LOADING_MESSAGE)
        # Overflow is how divergence looks from inside; the reporter turns it
        # into a clear message instead of NumPy warnings on the terminal.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = routine(Params(dict(values), seed), reporter)
        return Outcome(result=checked_result(result))
    except Cancelled:
        return Outcome(STOPPED)
    except Diverged as error:
        return Outcome(DIVERGED, error=str(error), diverged=error)
    except TutorError as error:
        return Outcome(FAILED, error=str(error))
    except Exception as error:  # a routine bug must not take the renderer down
        return Outcome(FAILED, error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())


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
    """Run ``lesson``'s routine with resolved ``values`` in this thread; never raises for routine errors.

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
    load = lesson.load_routine if routine is None else lambda: routine
    outcome = execute(load, lesson.backend, values, seed, reporter)
    return finish_record(lesson, record, state, outcome, began)


def finish_record(
    lesson: Lesson,
    record: RunRecord,
    state: RunState,
    outcome: Outcome,
    began: float,
    worker_versions: Mapping[str, str] | None = None,
) -> RunRecord:
    """The record of a run that ended with ``outcome``: its history, versions and judgement."""
    record.status, record.result = outcome.status, outcome.result
    record.error, record.traceback = outcome.error, outcome.traceback
    if outcome.diverged is not None:
        state.diverged(outcome.diverged)
    state.close()
    record.seconds = round(time.perf_counter() - began, 3)
    record.history = state.snapshot().history
    record.versions = {**versions(), **(worker_versions or {})}
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

# After Stop, how long to wait for the routine to end. A worker process deaf to Stop for
# longer (importing TensorFlow, compiling) is then ended; a routine in the run's own thread
# (NumPy: it checks every epoch, in milliseconds) is let go, and ends at its next check.
# Either way the run is recorded as stopped, with what it reported.
STOP_GRACE = 1.0  # seconds
# If no renderer lets the run go after STOP_GRACE (a lesson closed during a run), the run's
# thread ends its worker itself this much later.
_WORKER_BACKSTOP = 1.0  # seconds


def runs_in_a_worker(lesson: Lesson, learner: LearnerCode | None) -> bool:
    """Keras lessons and the learner's code run in a worker process; the tutor's NumPy routines
    in the run's thread (they start in milliseconds, check Stop every epoch, and share nothing
    the next run could trip over - see docs/run-worker.md)."""
    return learner is not None or lesson.backend == "keras"


class RunSession:
    """One run of a lesson, from start to record: the single owner of its thread, its worker
    process (if it has one), Stop, Pause/Step, state (views, history, timeline) and final record.

    Renderers start it, read ``state`` at their own pace and call the controls;
    ``on_end(record)`` is called in the run's thread when it ends (a UI posts
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
        learner: LearnerCode | None = None,
        worker: bool | None = None,
    ) -> None:
        """``routine``: run this callable instead of the lesson's own, in the run's thread (see
        :func:`run_lesson`). ``learner``: run the lesson's routine with the learner's functions, in
        a confined worker process. ``worker``: run in a worker process or not (default: Keras
        lessons and the learner's code do, see :func:`runs_in_a_worker`)."""
        if routine is not None and (learner is not None or worker):
            raise ValueError("a routine given as a function runs in the run's thread, not in a worker")
        self.lesson = lesson
        self.routine = routine
        self.learner = learner
        self.in_worker = routine is None and (runs_in_a_worker(lesson, learner) if worker is None else worker)
        self.values = dict(values)
        self.seed = lesson.seed if seed is None else seed
        self.state = RunState()
        self.control = RelayedControl()
        self.record: RunRecord | None = None
        self.let_go_record: RunRecord | None = None
        self.worker: WorkerProcess | None = None
        self._on_end = on_end
        self._done = threading.Event()
        self._ending = threading.Lock()  # the run's own end and a let-go never both make the record
        self._thread: threading.Thread | None = None
        self.began = 0.0

    @property
    def mine(self) -> bool:
        return self.routine is not None or self.learner is not None

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
            if self.in_worker:
                record = self._run_in_a_worker()
            else:
                record = run_lesson(
                    self.lesson, self.values, self.seed, state=self.state, control=self.control, routine=self.routine
                )
            with self._ending:
                self.record = record
        finally:
            self._done.set()
            _sessions.discard(self)
        if self._on_end is not None:
            self._on_end(record)

    def _run_in_a_worker(self) -> RunRecord:
        """Start (or take the prepared) worker, relay its run into ``state``, end it; the record."""
        record = new_record(self.lesson, self.values, self.seed)
        record.mine = self.mine
        keras = self.learner is None and self.lesson.backend == "keras"
        try:
            self.worker = worker = self._obtain_worker(keras)
        except (OSError, TutorError) as error:
            outcome = Outcome(FAILED, error=f"the run's worker could not start: {error}")
            return finish_record(self.lesson, record, self.state, outcome, self.began)
        start = start_message(self.lesson, self.values, self.seed, self.learner)
        try:
            try:
                started = self.control.attach(worker.send, start)
            except OSError:
                started = True  # it died before its start: the relay says how
            ended = (
                relay(worker, self.state, self.control, let_go=self._let_go, overstay=STOP_GRACE + _WORKER_BACKSTOP)
                if started
                else protocol.Ended("stopped")
            )
        finally:
            self.control.detach()
            worker.close()
            if keras:
                prepared.run_ended()
        with self._ending:
            if self.let_go_record is not None:
                return self.let_go_record
        outcome = self._outcome_of(ended)
        return finish_record(self.lesson, record, self.state, outcome, self.began, ended.versions)

    def _let_go(self) -> bool:
        return self.let_go_record is not None

    def _obtain_worker(self, keras: bool) -> WorkerProcess:
        if self.learner is not None:
            warning = confined.unconfined_warning()
            if warning is not None:  # locally the run goes on (a class seat refuses, below), and says so
                self.state.apply(Note(warning))
            return confined.start_learner_worker(Path(self.learner.file).parent, self.lesson.backend)
        if keras:
            taken = prepared.take()
            if taken is not None:
                return taken
        return WorkerProcess.start()

    def _outcome_of(self, ended: protocol.Ended) -> Outcome:
        """The worker's last word as an outcome; its result checked again, here."""
        outcome = Outcome(ended.status, error=ended.error, traceback=ended.traceback)
        if ended.diverged is not None:
            outcome.diverged = protocol.diverged_error(ended.diverged)
        if ended.status == FINISHED:
            try:
                outcome.result = checked_result(ended.result)
            except TypeError as error:
                outcome.status, outcome.error = FAILED, str(error)
        return outcome

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
        """Stop waiting for a routine that cannot listen yet; its run is recorded as stopped.

        A worker process is ended now (its run's thread follows at once); a routine in the
        run's own thread ends at its next check.
        """
        with self._ending:
            if self.record is not None:
                return self.record
            if self.let_go_record is None:
                self.stop()
                if self.worker is not None:
                    self.worker.kill()
                self.state.close()
                record = new_record(self.lesson, self.values, self.seed)
                record.status, record.history = STOPPED, self.state.snapshot().history
                record.mine = self.mine
                record.seconds, record.versions = round(time.perf_counter() - self.began, 3), versions()
                self.let_go_record = record
            record = self.let_go_record
        if self.in_worker:
            self.wait(_WORKER_BACKSTOP)  # the thread sees its worker gone and ends: none stays behind
        return record

    @property
    def final_record(self) -> RunRecord | None:
        return self.record or self.let_go_record


_sessions: set[RunSession] = set()  # runs whose thread is still going


def routines_still_running() -> bool:
    """Is any routine (a let-go one, typically) still busy in its thread?"""
    return bool(_sessions)


def exit_leaving_busy_routines(code: int) -> None:
    """End the process now if a let-go routine is still busy in this process.

    Its run is already recorded as stopped; waiting for it would leave the
    terminal hanging for seconds, and finalising Python under its feet can crash.
    Worker processes (a run's, the prepared one) are ended first.
    """
    end_workers()
    if routines_still_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def end_workers() -> None:
    """End every worker process this process started (runs' and the prepared one)."""
    prepared.end()
    for session in list(_sessions):
        if session.worker is not None:
            session.worker.kill()


def prepare(lesson: Lesson | None, values: Mapping[str, Any] | None = None, seed: int | None = None) -> None:
    """A lesson was opened (None: closed). For a Keras lesson, a worker imports TensorFlow now, in
    the background, and rehearses the run with ``values`` (default: the lesson's), so that Run does
    not wait for either; for any other lesson, the worker kept is ended (no TensorFlow while idle)."""
    if lesson is None or lesson.backend != "keras":
        prepared.prepare(None)
        return
    values = lesson.resolve({}) if values is None else values
    prepared.prepare(start_message(lesson, values, lesson.seed if seed is None else seed))


def start_message(
    lesson: Lesson, values: Mapping[str, Any], seed: int, learner: LearnerCode | None = None
) -> protocol.Start:
    """What a worker is told to run: the routine by name, the values, the seed (plain data)."""
    return protocol.Start(
        lesson=lesson.id,
        routine=lesson.routine,
        backend=lesson.backend,
        values=dict(values),
        seed=seed,
        code_dir=str(Path(lesson.code_dir).resolve()) if lesson.code_dir else None,
        learner=learner,
        environment=confined.routine_settings() if learner is not None else {},
        language=i18n.current(),
    )


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
    return f"{what} · {display_name(metric)} {last[metric]:.3g}" if metric else what
