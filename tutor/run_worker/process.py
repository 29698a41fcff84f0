"""The runner's handle on one worker process: start it, send it commands, read its reports, end it.

A worker is ``python -m tutor.run_worker`` in its own process group (so ending it ends
everything it started), its stdin the commands, its stdout the events (frames of
:mod:`tutor.run_worker.protocol`), its stderr kept as a bounded tail that names what
happened if it dies. It runs one routine and exits; :meth:`WorkerProcess.close` makes
sure nothing of it is left. Reading is done by the run's own thread (``receive`` with a
timeout): no thread of the app waits on a worker that is not running a run.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tutor.run_worker import protocol

STDERR_KEPT = 8192  # bytes of a worker's stderr kept to say why it died
REAP_SECONDS = 5.0  # after SIGKILL, how long to wait for the process to be gone (it always is, at once)

# Why a worker died, by the signal that ended it (a run's one line: "... ended unexpectedly: WHY").
_DEATHS = {
    signal.SIGKILL: "killed (SIGKILL) - out of memory, or ended by another program",
    signal.SIGSEGV: "crashed (SIGSEGV, a segmentation fault)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGBUS: "crashed (SIGBUS)",
    signal.SIGFPE: "crashed (SIGFPE)",
    signal.SIGILL: "crashed (SIGILL)",
    signal.SIGTERM: "ended (SIGTERM)",
    signal.SIGXCPU: "stopped at its CPU time limit (SIGXCPU)",
    signal.SIGXFSZ: "stopped at its file size limit (SIGXFSZ)",
}


def tutor_source_root() -> str:
    """The folder the worker imports this same ``tutor`` from (a checkout or site-packages)."""
    return str(Path(__file__).resolve().parents[2])


def worker_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (this process's environment) with the tutor importable and TensorFlow's C++ noise off."""
    environment = dict(os.environ if base is None else base)
    search = [tutor_source_root(), *(p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p)]
    environment["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(search))
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    environment.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return environment


def worker_command(prepare: bool = False, idle: float | None = None) -> list[str]:
    command = [sys.executable, "-m", "tutor.run_worker"]
    if prepare:
        command.append("--prepare-keras")
    if idle is not None:
        command += ["--idle", f"{idle:g}"]
    return command


class WorkerProcess:
    """One worker process, from its start to its end (one run, or waiting ready for one)."""

    def __init__(self, process: subprocess.Popen[bytes], on_close: Callable[[], object] | None = None) -> None:
        """``on_close``: called last by :meth:`close` (a sandbox's own way of ending what it started)."""
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        self.process = process
        self._commands = process.stdin.fileno()
        self._events = process.stdout.fileno()
        self._stderr = process.stderr.fileno()
        for fd in (self._events, self._stderr):
            os.set_blocking(fd, False)
        self._frames = protocol.FrameReader()
        self._send_lock = threading.Lock()
        self._tail = bytearray()
        self.events_ended = False  # the worker closed its events (exited, or was killed)
        self.killed = False  # ended by the tutor (Stop past its grace, or let go)
        self.closed = False
        self.rehearsals = 0  # rehearsals sent (a prepared worker)
        self.ready: protocol.Ready | None = None  # what it said last when it was ready (a prepared worker)
        self.started_at = time.monotonic()
        self._on_close = on_close
        # (environment, working folder) it was started with: a prepared worker serves only a run that
        # would have started it the same way (TUTOR_HOME, the data folder...).
        self.started_with: tuple[dict[str, str], str] | None = None

    @classmethod
    def start(
        cls,
        command: Sequence[str] | None = None,
        *,
        prepare: bool = False,
        idle: float | None = None,
        environment: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> WorkerProcess:
        """Start a worker (``command``: the worker's command line wrapped, e.g. by a sandbox).

        ``prepare``: it imports TensorFlow at once, before any run asks. Raises OSError if it cannot start.
        """
        environment = dict(environment) if environment is not None else worker_environment()
        process = subprocess.Popen(
            list(command) if command is not None else worker_command(prepare, idle),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            cwd=cwd,
            start_new_session=True,  # its own process group: ended whole; Ctrl+C in the terminal is the runner's
            close_fds=True,
        )
        worker = cls(process)
        worker.started_with = (environment, os.fspath(cwd) if cwd is not None else os.getcwd())
        return worker

    # ------------------------------------------------------------ talking

    def send(self, command: protocol.Command) -> None:
        """Send a command (from any thread). OSError if the worker is gone."""
        data = memoryview(protocol.frame(command))
        with self._send_lock:
            if self.closed:  # its pipe's number may be another file's by now
                raise BrokenPipeError("the worker has ended")
            while data:
                written = os.write(self._commands, data)
                data = data[written:]

    def receive(self, timeout: float) -> list[protocol.Event]:
        """The events that arrived within ``timeout`` seconds (maybe none); ``events_ended`` tells the end.

        Raises :class:`~tutor.run_worker.protocol.ProtocolError` for bytes that are not events.
        """
        if self.events_ended or self.closed:
            return []
        readable, _, _ = select.select([self._events, self._stderr], [], [], timeout)
        if self._stderr in readable:
            self._read_stderr()
        if self._events not in readable:
            return []
        frames: list[bytes] = []
        while True:
            try:
                data = os.read(self._events, 1 << 20)
            except BlockingIOError:
                break
            if not data:
                self.events_ended = True
                if self._frames.partial:
                    raise protocol.ProtocolError("a report cut short")
                break
            frames += self._frames.feed(data)
        events = [protocol.decode_event(payload) for payload in frames]
        self.ready = next((event for event in reversed(events) if isinstance(event, protocol.Ready)), self.ready)
        return events

    def rehearse(self, start: protocol.Start) -> None:
        """Have a prepared worker rehearse ``start`` before its run (OSError if it is gone)."""
        self.send(protocol.Rehearse(start))
        self.rehearsals += 1

    def wait_until_ready(self, timeout: float) -> bool:
        """Wait (a prepared worker, before its run) until TensorFlow is imported and every rehearsal done."""
        deadline = time.monotonic() + timeout
        while not self.is_ready and not self.events_ended and (left := deadline - time.monotonic()) > 0:
            self.receive(min(left, 0.5))  # before its Start, a worker says nothing but Ready
        return self.is_ready

    @property
    def is_ready(self) -> bool:
        return self.ready is not None and self.ready.rehearsed >= self.rehearsals

    def _read_stderr(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while data := os.read(self._stderr, 1 << 16):
                self._tail += data
                del self._tail[:-STDERR_KEPT]

    # ------------------------------------------------------------ ending

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """End the worker and everything it started (its process group), now."""
        self.killed = True
        if self.process.returncode is None:  # not reaped yet: its group id is still its own
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()

    def close(self) -> int | None:
        """Make sure the worker and its process group are gone; its exit code (negative: a signal)."""
        if self.closed:
            return self.process.returncode
        if self.events_ended and not self.killed:
            # It closed its reports by itself: a dying process does that as it exits, so its exit
            # code (the signal that ended it) is there at once and says why.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1.0)
        # After its last report it only exits; anything it started (its own children) goes with its
        # group. Linux never hands out a process group's id again while a member of it lives.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(REAP_SECONDS)
        self._read_stderr()
        with self._send_lock:
            self.closed = True
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
        if self._on_close is not None:
            self._on_close()
        return self.process.returncode

    def stderr_tail(self) -> str:
        """The end of what the worker wrote to stderr, without control characters."""
        return protocol.clean_text(bytes(self._tail).decode("utf-8", "replace")).strip()

    def death(self) -> str:
        """Why the worker ended before its run did, in one line (call after :meth:`close`)."""
        code = self.process.returncode
        if code is None:
            why = "it stopped answering"
        elif code < 0:
            try:
                why = _DEATHS.get(signal.Signals(-code), f"killed by {signal.Signals(-code).name}")
            except ValueError:
                why = f"killed by signal {-code}"
        else:
            why = f"it exited with code {code} before the run ended"
        last = next((line for line in reversed(self.stderr_tail().splitlines()) if line.strip()), "")
        said = f" - its last words: {protocol.clean_text(last.strip(), 200)}" if last else ""
        return f"the run's worker process ended unexpectedly: {why}{said}"
