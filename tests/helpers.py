"""Helpers shared by the test modules, so that no test module imports another.

Fixtures live in tests/conftest.py; plain functions and constants live here.
Other test modules import these names: keep them stable. Async tests are plain
``async def test_...`` (pytest-asyncio, ``asyncio_mode = "auto"`` in pyproject.toml). The app is imported
only inside the app helpers, so that conftest.py (which imports this module for
every test) and the tests of the UI-free core do not depend on the app.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import dataclasses
import gzip
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pytest
from textual.message import Message
from textual.notifications import Notification, Notify

from tutor.course import Challenge, Course, Lesson, load_lesson, shipped_lessons_dir
from tutor.data.images import IMAGES_MAGIC, LABELS_MAGIC
from tutor.runner import RunRecord

if TYPE_CHECKING:
    from tutor.app.app import TutorApp
    from tutor.app.widgets.exercise_pane import ExercisePane
    from tutor.app.widgets.lesson_pane import LessonPane
    from tutor.app.widgets.plot_view import PlotView

M = TypeVar("M", bound=Message)

# How long a test waits for an event before it calls it a hang: never reached when all is well, and
# generous, so that a loaded machine (two test runs on two cores) is not mistaken for a defect.
HANG_GUARD_SECONDS = 120.0

# ---------------------------------------------------------------- shared data

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
needs_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "mnist").is_dir(),
    reason="../shared/data is not here (the full MNIST/Fashion-MNIST sets; present in CI)",
)

# ---------------------------------------------------------------- lesson files

VALID = """\
id = "demo"
title = "A demo lesson"
chapter = 1
order = 9  # a place of its own: the course's chapter 1 has lessons 1 to 4
backend = "numpy"
routine = "tutor.routines.rosenblatt:run"
views = ["fit", "loss"]

[params.lr]
type = "float"
default = 0.05
min = 0.001
max = 1.0
help = "learning rate"

[params.epochs]
type = "int"
default = 10
min = 1
max = 100

[params.method]
type = "choice"
choices = ["a", "b"]
default = "a"

[params.shuffle]
type = "bool"
default = true

[challenge]
goal = "w near 1.25"
condition = "abs(w - 1.25) < 0.1"

[[pages]]
title = "One"
text = "Some *markdown*."
"""
"""A complete, valid lesson file: tests change one line of it to make one mistake."""

# ---------------------------------------------------------------- the command line


def tutor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m tutor ARGS`` in a subprocess, as a user types it (plain text, 100 columns)."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


# ---------------------------------------------------------------- processes a test starts and talks to


def default_sigint() -> None:
    """``preexec_fn`` of a process a test will Ctrl+C: there SIGINT does what it does in a terminal.

    A test run started with SIGINT ignored (nohup, ``cmd &`` in a script, some CI runners)
    passes that on to every process it starts, whose Ctrl+C would then do nothing.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Output:
    """What a child process writes to one stream (a pipe, or a pseudo-terminal), read as it comes.

    ``until(wanted)`` waits for an event, not a clock: it returns as soon as ``wanted`` (a
    text or a compiled pattern) is written, and fails at once, with what was written, when
    the stream ends first; ``seconds`` only bounds a hang. Each call reads on from where the
    last one's match ended.
    """

    def __init__(self, stream) -> None:
        self.text = ""
        self._start = 0
        self._ended = False
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(stream.fileno(),), daemon=True).start()

    def _read(self, descriptor: int) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while True:
            try:
                chunk = os.read(descriptor, 65536)
            except OSError:  # a pseudo-terminal whose other side has closed
                chunk = b""
            with self._changed:
                self.text += decoder.decode(chunk, final=not chunk)
                self._ended = not chunk
                self._changed.notify_all()
            if not chunk:
                return

    def until(self, wanted: str | re.Pattern[str], seconds: float = HANG_GUARD_SECONDS) -> str:
        """What was written from the last match on, up to and including ``wanted``."""
        pattern = wanted if isinstance(wanted, re.Pattern) else re.compile(re.escape(wanted))
        deadline = time.monotonic() + seconds
        with self._changed:
            while (found := pattern.search(self.text, self._start)) is None:
                left = deadline - time.monotonic()
                if self._ended or left <= 0:
                    why = "the stream ended" if self._ended else f"not within {seconds:.0f} s"
                    seen = self.text[self._start :][-4000:]
                    raise AssertionError(f"{pattern.pattern!r} was not written ({why}); it wrote:\n{seen}")
                self._changed.wait(left)
            seen, self._start = self.text[self._start : found.end()], found.end()
            return seen

    def everything(self, seconds: float = HANG_GUARD_SECONDS) -> str:
        """All that was written, once the stream has ended."""
        with self._changed:
            assert self._changed.wait_for(lambda: self._ended, seconds), f"still writing after {seconds:.0f} s"
            return self.text


# ---------------------------------------------------------------- IDX image files

IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.asarray(array, dtype=np.uint8).tobytes()


def tiny_set(seed: int, n_train: int = 6, n_test: int = 4):
    """A random MNIST-shaped set, ((x_train, y_train), (x_test, y_test)), of a few images."""
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    y_train = rng.integers(0, 10, n_train, dtype=np.uint8)
    x_test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    y_test = rng.integers(0, 10, n_test, dtype=np.uint8)
    return (x_train, y_train), (x_test, y_test)


def write_idx_set(directory: Path, data, gz: bool = True) -> Path:
    """Write ``data`` as the four MNIST IDX files (gzipped or raw) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = data
    parts = {
        "train_images": idx_bytes(x_train, IMAGES_MAGIC),
        "train_labels": idx_bytes(y_train, LABELS_MAGIC),
        "test_images": idx_bytes(x_test, IMAGES_MAGIC),
        "test_labels": idx_bytes(y_test, LABELS_MAGIC),
    }
    for part, raw in parts.items():
        if gz:
            (directory / f"{IDX_NAMES[part]}.gz").write_bytes(gzip.compress(raw))
        else:
            (directory / IDX_NAMES[part]).write_bytes(raw)
    return directory


# ---------------------------------------------------------------- the app

SIZE = (100, 34)


def make_course() -> Course:
    """The shipped rosenblatt lesson and 'broken', the same page with a routine that raises."""
    rosenblatt = load_lesson(shipped_lessons_dir() / "rosenblatt.toml")
    broken = dataclasses.replace(
        rosenblatt,
        id="broken",
        title="A routine with a bug",
        order=2,
        routine="tests.routines:broken_routine",
        summary="Its routine raises an exception after two epochs.",
        challenge=Challenge("Read the traceback and find the bug.", "False"),
    )
    return Course((rosenblatt, broken), {1: "One neuron, one weight"})


def endless_lesson() -> Lesson:
    """Rosenblatt's page with a routine that runs until Stop (tests/routines.py)."""
    rosenblatt = make_course().get("rosenblatt")
    return dataclasses.replace(rosenblatt, id="endless", order=3, routine="tests.routines:until_stopped")


def make_app(*extra_lessons, **kwargs) -> TutorApp:
    """The app on make_course() plus ``extra_lessons``, without the clock (no ETA, no durations)."""
    from tutor.app.app import TutorApp

    kwargs.setdefault("clock", False)
    course = make_course()
    course = dataclasses.replace(course, lessons=course.lessons + extra_lessons)
    return TutorApp(course, **kwargs)


class Posted(list):
    """Every message posted in an app under test, in order: ``app.run_test(message_hook=posted)``.

    Tests assert on what the app posted (a LessonPassed, a Notify) rather than on its private state.
    The hook sees a bubbling message at each node it reaches; it is kept once.
    """

    def __call__(self, message: Message) -> None:
        if not any(message is seen for seen in self):
            self.append(message)

    def of_type(self, kind: type[M]) -> list[M]:
        return [message for message in self if isinstance(message, kind)]

    def notifications(self, severity: str | None = None) -> list[Notification]:
        """The notifications the app asked to show (``notify``), optionally of one severity."""
        shown = [message.notification for message in self.of_type(Notify)]
        return [n for n in shown if severity is None or n.severity == severity]


def pane(app: TutorApp) -> LessonPane:
    return app.screen.pane


async def wait_until(pilot, condition, timeout: float = HANG_GUARD_SECONDS) -> None:
    """Until ``condition()`` is true, letting the app work meanwhile; fails after ``timeout`` seconds."""

    async def poll():
        while not condition():
            await pilot.pause(0.02)

    await asyncio.wait_for(poll(), timeout)


async def ready(pilot) -> None:
    """Until the lesson pane is mounted and laid out."""
    await pilot.pause()
    await wait_until(pilot, lambda: pane(pilot.app) is not None and pane(pilot.app).is_mounted)
    await pilot.pause()


async def wait_for_run(pilot, timeout: float = HANG_GUARD_SECONDS) -> None:
    """Until the current run has ended and its last message is handled."""
    session = pane(pilot.app).session
    await wait_until(
        pilot,
        lambda: (
            session is None
            or (session.done and not pane(pilot.app).running and pane(pilot.app).last_record is not None)
        ),
        timeout=timeout,
    )
    await pilot.pause()


async def run_in_app(course: Course, lesson_id: str, overrides) -> RunRecord:
    """Open ``lesson_id`` in the app, press Run, and return the finished run's record."""
    from tutor.app.app import TutorApp

    app = TutorApp(course, lesson_id=lesson_id, overrides=overrides, clock=False)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert app.screen.pane.lesson.id == lesson_id
        await pilot.press("ctrl+r")
        await wait_for_run(pilot)
        return app.screen.pane.last_record


async def start_endless_run(pilot) -> PlotView:
    """Press Run on the endless lesson; return its fit view once it has data, the run still going."""
    from tutor.app.widgets.plot_view import PlotView

    await ready(pilot)
    await pilot.press("ctrl+r")
    fit = pane(pilot.app).query_one("#view-fit", PlotView)
    await wait_until(pilot, lambda: bool(fit.data))
    assert pane(pilot.app).running
    return fit


# ---------------------------------------------------------------- snapshots


async def settle(pilot) -> None:
    """Until the lesson pane is mounted, with no blinking cursor to make screenshots differ."""
    from textual.widgets import Input

    app = pilot.app
    await wait_until(pilot, lambda: app.screen.pane is not None and app.screen.pane.is_mounted)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def before_snapshot(*steps):
    """A snapshot's ``run_before``: settle the app, then run ``steps`` (async callables of pilot)."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for step in steps:
            await step(pilot)
        await pilot.pause()

    return run_before


def press(*keys):
    """A step for before_snapshot: press ``keys``."""

    async def step(pilot) -> None:
        await pilot.press(*keys)
        await pilot.pause()

    return step


# ---------------------------------------------------------------- tutor serve, as a browser uses it

SERVE_STARTUP_SECONDS = HANG_GUARD_SECONDS  # Python, Textual and the course, on a loaded machine
# The server's first line ends with the link to hand out ("Serving the tutor at http://...", or in the
# server's language with --lang).
SERVING_LINK = re.compile(r"(https?://\S+)$", re.M)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class Served:
    process: subprocess.Popen
    port: int
    output: list[str] = dataclasses.field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> str:
        return "".join(self.output)

    def link(self) -> str:
        """The link the server printed to hand out."""
        found = SERVING_LINK.search(self.log)
        assert found, self.log
        return found.group(1)

    def app_processes(self) -> list[int]:
        """The app processes the server started (its children)."""
        return children(self.process.pid)


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode("utf-8", "replace").split("\0") if "=" in entry)


SERVE_WITH_ARGV = """
import sys
from tutor import serve
serving = serve.serve
def with_argv(options):
    options.argv = {argv!r}
    return serving(options)
serve.serve = with_argv
from tutor.cli import main
sys.exit(main(sys.argv[1:]))
"""


@contextlib.contextmanager
def served(tmp_path: Path, *options: str, app_argv: list[str] | None = None) -> Iterator[Served]:
    """``tutor serve`` on a free loopback port (unless ``options`` say otherwise), its own TUTOR_HOME.

    ``app_argv``: what each tab runs instead of the tutor's app (the command line is parsed as usual).
    """
    port = free_port()
    if "--host" not in options:
        options = ("--host", "127.0.0.1", *options)
    command = [sys.executable, "-m", "tutor", "serve", "--port", str(port), *options]
    if app_argv is not None:
        command[1:3] = ["-c", SERVE_WITH_ARGV.format(argv=app_argv)]
    environment = {**os.environ, "TUTOR_HOME": str(tmp_path / "home")}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        preexec_fn=default_sigint,  # the teacher's Ctrl+C ends it (tests/test_serve.py)
    )
    server = Served(process, port)
    reader = threading.Thread(target=lambda: server.output.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + SERVE_STARTUP_SECONDS
        while SERVING_LINK.search(server.log) is None:
            assert process.poll() is None and time.monotonic() < deadline, server.log
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # as the teacher's Ctrl+C
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=5)


def websocket_url(page: str) -> str:
    found = re.search(r'data-session-websocket-url="([^"]+)"', page)
    assert found, page
    return found.group(1)


class ServedScreen:
    """What a browser's terminal shows, from the bytes the served app sent (pyte emulates the terminal)."""

    def __init__(self, columns: int = 100, lines: int = 30) -> None:
        import pyte

        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)


_TUTOR_IMPORT = re.compile(r"^([ \t]*)from (tutor\.routines\.\w+) import ([\w, ]+)$", re.MULTILINE)


def without_tutor_imports(source: str) -> str:
    """A learner's file whose ``from tutor.routines.X import f`` lines are the functions written out.

    The learner's code runs where the tutor's code cannot be seen: a test file that borrows the
    tutor's own function (to complete the file around the one being tested) spells it out instead.
    """
    import importlib
    import textwrap

    from tutor.exercises import standalone_source

    def written_out(match: re.Match) -> str:
        module = importlib.import_module(match.group(2))
        names = [name.strip() for name in match.group(3).split(",")]
        return textwrap.indent(standalone_source(module, names), match.group(1))

    return _TUTOR_IMPORT.sub(written_out, textwrap.dedent(source))


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """The tutor speaks ``language`` inside the block, English again after it."""
    from tutor import i18n

    i18n.set_language(language)
    try:
        yield
    finally:
        i18n.set_language(i18n.ENGLISH)


@contextlib.contextmanager
def fixed_workspace_at(folder: str, monkeypatch) -> Iterator[None]:
    """The learner's files in ``folder``/workspace, a fixed path a snapshot shows in the editor's title.

    Held under a lock beside it: two copies of the suite on one machine take their turns (one would
    delete the other's files), and emptied before and after.
    """
    import fcntl
    import shutil

    with open(f"{folder}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        monkeypatch.setenv("TUTOR_WORKSPACE", f"{folder}/workspace")
        shutil.rmtree(folder, ignore_errors=True)
        try:
            yield
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            fcntl.flock(lock, fcntl.LOCK_UN)


async def open_exercise(pilot) -> ExercisePane:
    """The Exercise tab opened with x, once its first checks are in."""
    from tutor.app.widgets.exercise_pane import ExercisePane

    await ready(pilot)
    await pilot.press("x")
    exercise = pane(pilot.app).query_one(ExercisePane)
    await wait_until(pilot, lambda: exercise.report is not None)
    return exercise
