"""The tutor's side of the learner's process: the checks call the learner's functions through it.

:class:`LearnerProcess` starts :mod:`tutor.exercises.harness` confined (:mod:`tutor.sandbox`),
hands it the learner's source, and calls its functions: each call sends the function's name
and plain arguments and waits, at most the time left, for a plain answer. :class:`Mine` is
the ``mine`` of a check: ``mine.slope(w, x, y)`` is such a call.

What comes back is the learner's to choose, so it is read strictly (the harness's schema,
a bounded size) and only ever taken as the output of that call: a verdict is never read
from the learner's process. A Keras model comes back as its JSON configuration and is
rebuilt here (``safe_mode``: no Lambda layer, Keras' own classes only) for the checks to
inspect and call.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import struct
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from tutor import sandbox
from tutor.exercises import harness
from tutor.exercises.checking import Foreign, LearnerRaised
from tutor.i18n import _

CALL_GRACE = 3.0  # seconds past a call's own limit before its process is ended from here
OUTPUT_KEPT = 64 << 10  # bytes of what the learner's code prints that are kept


class LearnerStopped(BaseException):
    """The learner's process can answer no more: the checks end with ``str()`` as the problem.

    A BaseException, so that no check's ``except Exception`` takes it for a wrong answer.
    """


class LearnerExited(BaseException):
    """The learner's function called exit(); its process goes on (the harness caught it)."""


class LearnerTimedOut(LearnerStopped):
    def __init__(self, function: str, line: int, seconds: float) -> None:
        super().__init__(function)
        self.function, self.line, self.seconds = function, line, seconds


class LearnerProcess:
    """The confined harness holding one learner's file; use as a context manager."""

    def __init__(self, path: Path, workspace: Path, limits: sandbox.Limits) -> None:
        self.path = str(path)
        self.workspace = workspace
        self.limits = limits
        self.process: subprocess.Popen | None = None
        self.collector: sandbox.OutputCollector | None = None
        self.decoder = msgspec.msgpack.Decoder(harness.Reply)
        self.confined = sandbox.why_unconfined() is None

    @contextlib.contextmanager
    def started(self) -> Iterator[LearnerProcess]:
        """Raises :class:`tutor.sandbox.Unconfined` where learner code must not run unconfined."""
        script = Path(harness.__file__).resolve()
        argv = [sys.executable, "-I", "-B", str(script), json.dumps(sandbox.import_path())]
        with sandbox.confined(
            argv,
            workspace=self.workspace,
            readable=[script],
            limits=self.limits,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as process:
            self.process = process
            self.collector = sandbox.OutputCollector(process.stderr, OUTPUT_KEPT)  # type: ignore[arg-type]
            os.set_blocking(process.stdin.fileno(), False)  # type: ignore[union-attr]
            try:
                yield self
            finally:  # ended here, so that what it printed last is read before its pipe is closed
                with contextlib.suppress(OSError):
                    process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
                self.collector.finish(2.0)

    def output(self, limit: int) -> str:
        """What the learner's code printed (plain text, bounded); call after the process ended."""
        return self.collector.text(limit=limit) if self.collector else ""

    # ------------------------------------------------------------ requests

    def send(self, request: Any, seconds: float = 10.0) -> None:
        """Send ``request`` without waiting for its answer (:meth:`receive` reads it)."""
        body = msgspec.msgpack.encode(request)
        try:
            self._send(struct.pack(">I", len(body)) + body, time.monotonic() + seconds)
        except _Late:
            raise LearnerTimedOut("", 0, seconds) from None

    def receive(self, seconds: float) -> Any:
        """The next answer, waited for ``seconds`` (plus a grace) at most."""
        try:
            return self._receive(time.monotonic() + seconds + CALL_GRACE)
        except _Late:
            raise LearnerTimedOut("", 0, seconds) from None

    def ask(self, request: Any, seconds: float) -> Any:
        """Send ``request``; its answer, waited for ``seconds`` (plus a grace) at most."""
        self.send(request, seconds + CALL_GRACE)
        return self.receive(seconds)

    def prepared(self, seconds: float) -> str:
        """The answer to the ``Prepare`` sent first: '' or what could not be imported there."""
        reply = self.receive(seconds)
        if not isinstance(reply, harness.Ready):
            raise LearnerStopped(_("the learner's process answered out of turn"))
        return reply.problem

    def load(self, source: str, functions: Sequence[str], seconds: float) -> harness.Loaded | harness.Failed:
        reply = self.ask(harness.Load(self.path, source, list(functions), seconds), seconds)
        if not isinstance(reply, harness.Loaded | harness.Failed):
            raise LearnerStopped(_("the learner's process answered out of turn"))
        return reply

    def call(self, function: str, args: Sequence[Any], kwargs: dict[str, Any], seconds: float) -> Any:
        """What ``function(*args, **kwargs)`` returned there; raises what it raised, as LearnerRaised."""
        request = harness.Call(
            function,
            [harness.encode_value(value) for value in args],
            {key: harness.encode_value(value) for key, value in kwargs.items()},
            seconds,
        )
        try:
            reply = self.ask(request, seconds)
        except LearnerTimedOut:
            raise LearnerTimedOut(function, 0, seconds) from None
        if isinstance(reply, harness.TimedOut):
            raise LearnerTimedOut(reply.function or function, reply.line, seconds)
        if isinstance(reply, harness.Exited):
            raise LearnerExited
        if isinstance(reply, harness.Raised):
            raise LearnerRaised(reply.type_name, reply.message, reply.function, reply.line)
        if not isinstance(reply, harness.Returned):
            raise LearnerStopped(_("the learner's process answered out of turn"))
        for warned in reply.warnings:
            _warn_again(warned, self.path)
        try:
            return harness.decode_value(reply.value, model=_rebuilt_model, other=Foreign)
        except (ValueError, TypeError) as error:
            raise LearnerStopped(
                _("what your code sent back could not be read ({error})").format(error=error)
            ) from None

    # ------------------------------------------------------------ frames, with a deadline

    def _send(self, data: bytes, deadline: float) -> None:
        assert self.process is not None and self.process.stdin is not None
        descriptor = self.process.stdin.fileno()
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Late
            _readable, ready, _errors = select.select([], [descriptor], [], left)
            if ready:
                try:
                    view = view[os.write(descriptor, view) :]
                except BlockingIOError:
                    continue
                except OSError:
                    raise self._gone() from None

    def _receive(self, deadline: float) -> Any:
        (size,) = struct.unpack(">I", self._exactly(4, deadline))
        if size > harness.MAX_FRAME:
            too_much = _("your code sent back more than {size} MB at once")
            raise LearnerStopped(too_much.format(size=harness.MAX_FRAME >> 20))
        try:
            return self.decoder.decode(self._exactly(size, deadline))
        except msgspec.DecodeError as error:
            raise LearnerStopped(
                _("what your code sent back could not be read ({error})").format(error=error)
            ) from None

    def _exactly(self, size: int, deadline: float) -> bytes:
        assert self.process is not None and self.process.stdout is not None
        descriptor = self.process.stdout.fileno()
        data = bytearray()
        while len(data) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Late
            ready, _writable, _errors = select.select([descriptor], [], [], left)
            if ready:
                chunk = os.read(descriptor, min(size - len(data), 1 << 20))
                if not chunk:
                    raise self._gone()
                data += chunk
        return bytes(data)

    def _gone(self) -> LearnerStopped:
        assert self.process is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        why = sandbox.exit_text(self.process.returncode, self.confined)
        return LearnerStopped(_("the checks crashed ({why})").format(why=why))


class _Late(Exception):
    pass


class Mine:
    """``mine`` in a check: ``mine.f(...)`` calls the learner's ``f`` in the learner's process."""

    def __init__(self, process: LearnerProcess, functions: Sequence[str], deadline: float, budget: float) -> None:
        self._process, self._functions = process, tuple(functions)
        self._deadline, self._budget = deadline, budget

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._functions:
            raise AttributeError(name)

        def remote(*args: Any, **kwargs: Any) -> Any:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise LearnerTimedOut("", 0, self._budget)
            try:
                return self._process.call(name, args, kwargs, left)
            except LearnerTimedOut as late:
                raise LearnerTimedOut(late.function, late.line, self._budget) from None

        remote.__name__ = remote.__qualname__ = name
        return remote


def _warn_again(warned: harness.Warned, path: str) -> None:
    """A warning raised by the learner's code, raised again here (a check may be watching for it)."""
    category = getattr(__import__("builtins"), warned.category, None)
    if not (isinstance(category, type) and issubclass(category, Warning)):
        category = UserWarning
    warnings.warn_explicit(warned.message, category, path, warned.line or 1)


def _rebuilt_model(config: str) -> Any:
    """The learner's Keras model, rebuilt here from its configuration - Keras' own layers only."""
    from tutor.keras_bridge import import_keras

    try:
        data = json.loads(config)
        strange = _foreign_module(data)
        if strange:
            return Foreign(_("a model that uses {module}, not Keras' own layers").format(module=strange[:60]))
        return import_keras().saving.deserialize_keras_object(data, safe_mode=True)
    except Exception as error:
        said = str(error).splitlines()[0][:160] if str(error) else ""
        cannot = _("a model that cannot be rebuilt from its configuration ({error})")
        return Foreign(cannot.format(error=f"{type(error).__name__}: {said}"))


def _foreign_module(data: Any, depth: int = 0) -> str:
    """The first ``module`` in a Keras configuration that is not Keras' own ('' when none)."""
    if depth > 64:
        return _("a configuration nested too deep")
    if isinstance(data, dict):
        module = data.get("module")
        if isinstance(module, str) and module.split(".")[0] != "keras":
            return module
        items: Any = data.values()
    elif isinstance(data, list):
        items = data
    else:
        return ""
    for item in items:
        found = _foreign_module(item, depth + 1)
        if found:
            return found
    return ""
