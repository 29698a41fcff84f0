"""The source of the routine a lesson runs, syntax highlighted in the theme's colours."""

from __future__ import annotations

import inspect
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.highlight import highlight
from textual.widgets import Static

from tutor.course import Lesson, split_routine
from tutor.i18n import _


def routine_source(lesson: Lesson) -> tuple[str, str]:
    """(file, source) of the module whose routine the lesson really runs.

    Taken from the loaded function itself, so a pack's own module (loaded
    under a private name) is shown, never a same-named module elsewhere.
    """
    try:
        path = inspect.getsourcefile(lesson.load_routine())
        if path is None:
            raise OSError("no source file")
        return path, Path(path).read_text(encoding="utf-8")
    except Exception as error:  # noqa: BLE001 - a missing module is reported by Run, not here
        return lesson.routine, _("# The source of {routine} is not available: {error}").format(
            routine=lesson.routine, error=error
        ) + "\n"


class CodeView(ScrollableContainer, can_focus=True):
    """Read-only: the code that runs when you press Run."""

    def __init__(self, lesson: Lesson, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lesson = lesson

    def compose(self) -> ComposeResult:
        path, source = routine_source(self.lesson)
        module = split_routine(self.lesson.routine)[0]
        yield Static(f"{module}  ({path.rsplit('/', 1)[-1]})", id="code-title", markup=False)
        yield Static(highlight(source, language="python"), id="code-text")
