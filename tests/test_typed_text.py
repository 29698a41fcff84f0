"""Typed text is never lost: the Exercise tab's unsaved text survives quitting, signals and crashes,
and a save never overwrites a version the window has not seen (two windows on one file).

The quitting tests run the real app on a pseudo-terminal and type into it; a second app then opens
the same file and must offer the text back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Button

from tests.helpers import Posted, make_app, open_exercise, wait_until
from tutor.course import load_course

TYPED = "# my own note, never saved"


def drafts(workspace: Path) -> list[Path]:
    return sorted(workspace.glob(".rosenblatt.py.*.draft"))


# ---------------------------------------------------------------- quitting, signals, a crash

APP = """
import sys
from tests.helpers import make_course
from tutor.app import run_app
sys.exit(run_app(course=make_course()))
"""


class AppOnATerminal:
    """The app on a pseudo-terminal (100x30) and the screen it shows (pyte)."""

    def __init__(self, environment: dict[str, str]) -> None:
        import fcntl
        import struct
        import termios

        import pyte

        try:
            self.main, child = os.openpty()
        except OSError as error:  # a container without /dev/pts
            pytest.skip(f"no pseudo-terminal here: {error}")
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.screen = pyte.Screen(100, 30)
        self.stream = pyte.ByteStream(self.screen)
        self.process = subprocess.Popen(
            [sys.executable, "-c", APP],
            stdin=child,
            stdout=child,
            stderr=child,
            cwd=Path(__file__).resolve().parents[1],
            env={**environment, "TERM": "xterm-256color"},
            start_new_session=True,
        )
        os.close(child)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def until(self, text: str, timeout: float = 60) -> None:
        import select

        deadline = time.monotonic() + timeout
        while text not in self.text():
            assert time.monotonic() < deadline and self.process.poll() is None, self.text()
            if select.select([self.main], [], [], 0.2)[0]:
                try:
                    self.stream.feed(os.read(self.main, 65536))
                except OSError:
                    pass

    def type(self, keys: str) -> None:
        os.write(self.main, keys.encode())

    def ended(self, timeout: float = 60) -> int:
        """Its exit code, reading the terminal meanwhile (a full terminal would block it)."""
        import select

        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if select.select([self.main], [], [], 0.2)[0]:
                try:
                    os.read(self.main, 65536)
                except OSError:
                    pass
        code = self.process.wait(timeout=1)
        os.close(self.main)
        return code


def type_without_saving(isolated_home: Path) -> AppOnATerminal:
    app = AppOnATerminal(dict(os.environ))
    app.until("Ready: press Run")  # the lesson is open and takes keys
    app.type("x")
    app.until("ctrl+s save & check")  # the Exercise tab, its editor taking the keys
    app.until("checks pass")
    app.type(TYPED)
    app.until("unsaved")
    return app


async def offered_back(workspace: Path) -> tuple[str, list[str]]:
    """A new app opens the same file: (the editor's text, what it said)."""
    posted = Posted()
    app = make_app()
    async with app.run_test(size=(100, 32), message_hook=posted) as pilot:
        exercise = await open_exercise(pilot)
        text = exercise.editor.text
        assert exercise.unsaved  # shown as unsaved: the file itself was never written
    return text, [n.message for n in posted.notifications()]


@pytest.mark.parametrize("how", ["ctrl+q", "SIGTERM", "SIGHUP", "kill -9 a moment after typing"])
def test_unsaved_text_is_kept_and_offered_back_next_time(isolated_home, how):
    workspace = isolated_home / "workspace"
    app = type_without_saving(isolated_home)
    if how == "ctrl+q":
        app.type("\x11")
    elif how.startswith("kill -9"):
        deadline = time.monotonic() + 60
        while not drafts(workspace):  # written a moment after typing stopped, without any key
            assert time.monotonic() < deadline
            time.sleep(0.05)
        app.process.kill()
    else:
        app.process.send_signal(getattr(signal, how))
    code = app.ended()
    assert code == (-signal.SIGKILL if how.startswith("kill") else 0)
    assert TYPED not in (workspace / "rosenblatt.py").read_text()  # never saved over the learner's file
    text, said = asyncio.run(offered_back(workspace))
    assert TYPED in text
    assert any("Your unsaved text" in message and "is back" in message for message in said), said
    assert len(drafts(workspace)) <= 1  # the draft is the new window's now, not one more


# ---------------------------------------------------------------- the Exercise tab keeps the line in view


@pytest.mark.parametrize("size", [(80, 24), (100, 32)])
async def test_saving_keeps_the_edited_line_in_view(size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        exercise = await open_exercise(pilot)
        editor = exercise.editor
        editor.focus()
        editor.move_cursor((editor.document.line_count - 1, 0))  # the last line, below the first screen
        await pilot.press(*"# mine")
        await pilot.pause()
        before = exercise.report
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: exercise.report is not before, timeout=30)
        await pilot.pause()
        row = editor.cursor_location[0]
        assert editor.scroll_offset.y <= row < editor.scroll_offset.y + editor.scrollable_content_region.height


async def test_the_whole_description_is_readable_at_80x24() -> None:
    from tutor.app.app import TutorApp

    app = TutorApp(load_course(), lesson_id="softmax", clock=False)
    async with app.run_test(size=(80, 24)) as pilot:
        exercise = await open_exercise(pilot)
        more = exercise.query_one("#exercise-intro-more")
        await wait_until(pilot, lambda: more.display and "F2" in str(more.render()))
        assert "whole description" in str(more.render())
        await pilot.press("f2")
        intro = exercise.query_one("#exercise-intro")
        scroll = exercise.query_one("#exercise-intro-scroll")
        await wait_until(pilot, lambda: scroll.max_scroll_y == 0 and scroll.region.height >= 6)
        assert scroll.region.height >= intro.virtual_size.height  # every line of it, cross_entropy's too
        assert exercise.editor.has_focus  # F2 from the editor, and back to typing
        await pilot.press("f2")
        await wait_until(pilot, lambda: scroll.region.height <= 3)


# ---------------------------------------------------------------- two windows on one file


async def test_two_windows_saving_a_moment_apart_never_overwrite_each_other() -> None:
    window_a, window_b = make_app(), make_app()
    said_b = Posted()
    async with (
        window_a.run_test(size=(100, 32)) as pilot_a,
        window_b.run_test(size=(100, 32), message_hook=said_b) as pilot_b,
    ):
        a, b = await open_exercise(pilot_a), await open_exercise(pilot_b)
        path = a.path
        a.editor.load_text(a.editor.text + "# A's edit\n")
        b.editor.load_text(b.editor.text + "# B's edit\n")
        text_a, text_b = a.editor.text, b.editor.text
        assert a.save()
        await asyncio.sleep(0.05)
        assert not b.save()  # B has not seen A's version: nothing written
        assert path.read_text() == text_a
        await pilot_b.pause()
        assert any("Not saved" in n.message for n in said_b.notifications("warning"))
        assert b.editor.text == text_b and b.query_one("#exercise-keep-mine", Button).display
        assert any(draft.read_text() == text_b for draft in drafts(path.parent))  # kept on disk already
        await pilot_a.pause(0.5)
        assert a.editor.text == text_a  # A still shows its own text

        b.query_one("#exercise-keep-mine", Button).press()  # B keeps hers; A's is kept beside the file
        await wait_until(pilot_b, lambda: path.read_text() == text_b)
        [kept] = path.parent.glob("rosenblatt.py.*.bak")
        assert kept.read_text() == text_a
        await wait_until(pilot_a, lambda: a.editor.text == text_b, timeout=30)  # A is shown the new version
