"""Inside a worker process: wait for a :class:`~tutor.run_worker.protocol.Start`, run that one
routine, report it, exit.

The runner starts ``python -m tutor.run_worker`` (see :mod:`tutor.run_worker.process`); this
module is never imported by the tutor's own process. The first thing it does is take the
protocol's two pipes off fds 0 and 1 (so whatever a routine prints goes to stderr, never into
the reports). Then a thread listens for commands - Stop, Pause, Resume, Step act on the run's
:class:`~tutor.reporting.RunControl` at once, as the app's buttons do in a thread run - while the
main thread (the one TensorFlow and the routine run in) waits for Start. ``--prepare-keras``
imports TensorFlow first, so that a later Run does not wait for it.

When the runner goes away (its end of the commands closes), the worker exits at once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tutor.keras_status import LOADING_MESSAGE
from tutor.reporting import Cancelled, Report, Reporter, RunControl
from tutor.run_worker import protocol
from tutor.runner import Outcome, execute, versions

DEFAULT_IDLE = 3600.0  # seconds a worker waits for its Start before it exits by itself


class _Channel:
    """The protocol's ends, taken off stdin and stdout before anything can print."""

    def __init__(self) -> None:
        self.commands = os.dup(0)  # os.dup's copies are not inherited by anything the routine starts
        self.events = os.dup(1)
        with open(os.devnull, "rb") as nothing:
            os.dup2(nothing.fileno(), 0)
        os.dup2(2, 1)  # print() and C libraries writing to fd 1 end up in stderr, read by the runner
        self._write_lock = threading.Lock()

    def send(self, message: protocol.Event) -> None:
        data = memoryview(protocol.frame(message))
        with self._write_lock:
            try:
                while data:
                    data = data[os.write(self.events, data) :]
            except OSError:  # the runner is gone: nobody is left to report to
                os._exit(1)

    def receive(self) -> protocol.Command | None:
        """The next command; None when the runner closed its end."""
        size = self._read_exactly(4)
        if size is None:
            return None
        payload = self._read_exactly(int.from_bytes(size, "big"))
        return None if payload is None else protocol.decode_command(payload)

    def _read_exactly(self, count: int) -> bytes | None:
        data = bytearray()
        while len(data) < count:
            chunk = os.read(self.commands, count - len(data))
            if not chunk:
                return None
            data += chunk
        return bytes(data)


class _ReportedControl(RunControl):
    """The run's controls; the runner hears when the routine parks at a paused check and when it goes on."""

    def __init__(self, send: Callable[[protocol.Event], None]) -> None:
        self._send = send
        self._waiting = False
        super().__init__()

    @property
    def waiting(self) -> bool:
        return self._waiting

    @waiting.setter
    def waiting(self, value: bool) -> None:
        if value != self._waiting:
            self._waiting = value
            self._send(protocol.Waiting(value))


class _FirstReportEnds(RunControl):
    """A rehearsal's control: it ends at the routine's first report - never at a plain check, where
    a compile would be abandoned half done and the run after it would race it."""

    def checkpoint(self, reported: bool = False) -> None:
        if reported:
            raise Cancelled()


class Worker:
    def __init__(self, channel: _Channel) -> None:
        self.channel = channel
        self.control = _ReportedControl(channel.send)
        # Start and Rehearse, in the order they came; the main thread takes them.
        self.work: queue.Queue[protocol.Start | protocol.Rehearse] = queue.Queue()
        self.started = False  # a Start has come: rehearsals left are skipped
        self.loading = False  # importing TensorFlow before any Start (a prepared worker)

    def listen(self) -> None:
        """The commands thread: act on each command as it comes; exit when the runner is gone."""
        try:
            while (command := self.channel.receive()) is not None:
                self.obey(command)
        except (OSError, protocol.ProtocolError):
            pass
        os._exit(0)  # the runner closed its end (it ended, or was killed): so does its worker

    def obey(self, command: protocol.Command) -> None:
        if isinstance(command, protocol.Start):
            if self.loading:
                self.channel.send(protocol.Note(LOADING_MESSAGE))
            # Pause and Step pressed before the start, applied here, in the order they were pressed.
            if command.steps:
                for _ in range(command.steps):
                    self.control.step()
            elif command.paused:
                self.control.pause()
            self.started = True
            self.work.put(command)
        elif isinstance(command, protocol.Rehearse):
            self.work.put(command)
        elif isinstance(command, protocol.Stop):
            self.control.stop()
        elif isinstance(command, protocol.Pause):
            self.control.pause()
        elif isinstance(command, protocol.Resume):
            self.control.resume()
        elif isinstance(command, protocol.Step):
            self.control.step()

    def serve(self, prepare_keras: bool, idle: float) -> None:
        threading.Thread(target=self.listen, name="tutor-worker-commands", daemon=True).start()
        if prepare_keras:
            self.loading = True
            warm_up_keras()
            self.loading = False
        rehearsed = 0
        while True:
            if prepare_keras and self.work.empty():
                self.channel.send(protocol.Ready(rehearsed))
            try:
                item = self.work.get(timeout=idle)
            except queue.Empty:
                return  # nobody ran anything: a prepared worker does not wait for ever
            if isinstance(item, protocol.Start):
                break
            # Only the newest rehearsal is worth its compile: another lesson opened since, or Run was pressed.
            if not self.started and self.work.empty():
                rehearse(item.start)
            rehearsed += 1
        self.channel.send(self.run(item))

    def run(self, start: protocol.Start) -> protocol.Ended:
        reporter = Reporter(self.report, self.control)
        outcome = execute(lambda: routine_of(start), start.backend, start.values, start.seed, reporter)
        return ended(outcome)

    def report(self, report: Report) -> None:
        self.channel.send(protocol.report_message(report))


def rehearse(start: protocol.Start) -> None:
    """Run the lesson's routine up to its first report, and keep nothing of it but what is now warm."""
    with contextlib.suppress(Exception):
        execute(lambda: routine_of(start), start.backend, start.values, start.seed, Reporter(None, _FirstReportEnds()))


def routine_of(start: protocol.Start) -> Callable[..., Any]:
    """The routine ``start`` names: the lesson's own, or the lesson's with the learner's functions in it."""
    from tutor import i18n
    from tutor.course import resolve_routine

    os.environ.update(start.environment)
    if start.language in i18n.LANGUAGES:  # the tutor's choice now, even in a worker prepared before it changed
        i18n.set_language(start.language)
    code_dir = Path(start.code_dir) if start.code_dir else None
    if start.learner is None:
        return resolve_routine(start.routine, code_dir)
    from tutor.exercises import Exercise, routine_with

    lesson = SimpleNamespace(routine=start.routine, load_routine=lambda: resolve_routine(start.routine, code_dir))
    exercise = Exercise(
        lesson_id=start.lesson,
        folder=Path(),
        functions=tuple(start.learner.functions),
        hints=(),
        timeout=0.0,
        intro="",
        starter=Path(),
        checks=Path(),
        routine=start.routine,
        code_dir=code_dir,
    )
    return routine_with(lesson, exercise, Path(start.learner.file))


def ended(outcome: Outcome) -> protocol.Ended:
    where = outcome.diverged
    return protocol.Ended(
        status=outcome.status,
        result=outcome.result,
        error=outcome.error,
        traceback=outcome.traceback,
        diverged=protocol.DivergedAt(where.metric, where.value, where.step, where.unit) if where else None,
        versions=versions(),
    )


def warm_up_keras() -> None:
    """Import TensorFlow and Keras (quietly) and run one tiny op, so a run starts without waiting."""
    from tutor.keras_bridge import import_keras

    keras = import_keras()
    keras.ops.convert_to_tensor([1.0]) + 1.0  # TensorFlow's runtime and CPU device, started
    # The half million objects TensorFlow's import made live as long as the process: out of the
    # garbage collector's sight, the full collection each run starts with (clear_session) takes
    # milliseconds instead of a second.
    gc.freeze()


def main(argv: list[str]) -> None:
    # No parent-death signal: Linux sends it when the *thread* that started the worker ends, and the
    # next run's worker is prepared by a run's thread that ends soon after. The commands' end closing
    # (the tutor exited or was killed) is what ends a worker.
    channel = _Channel()
    idle = float(argv[argv.index("--idle") + 1]) if "--idle" in argv else DEFAULT_IDLE
    Worker(channel).serve(prepare_keras="--prepare-keras" in argv, idle=idle)
    sys.stdout.flush()
    sys.stderr.flush()
    # At once: Python's exit would wait for threads TensorFlow may still run (an abandoned compile).
    os._exit(0)
