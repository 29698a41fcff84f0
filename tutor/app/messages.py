"""Messages shared across the app's screens and widgets.

Run messages travel from a run's thread to the UI thread (``post_message`` is
thread-safe); while a run computes, the lesson pane reads its state on a timer
instead, so a fast routine never floods the UI with messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tutor.runner import RunRecord, RunSession


@dataclass
class OpenLesson(Message):
    """Show a lesson (from the command palette or the CLI), optionally starting it."""

    lesson_id: str
    autorun: bool = False


@dataclass
class RunFinished(Message):
    """A run ended (finished, stopped, diverged or failed): posted from its thread
    (``session`` is the pane's run then: None or another one if it was replaced)."""

    session: RunSession | None
    record: RunRecord


@dataclass
class LessonPassed(Message):
    """A run met its lesson's challenge."""

    lesson_id: str


@dataclass
class RunRecorded(Message):
    """A run ended: its record is ready to be kept with the lesson's recent runs.

    Posted to the screen, so a run ended by opening another lesson is kept too;
    the app tracks the ``session`` until its record is kept (Quit waits for it).
    """

    record: RunRecord
    session: RunSession
