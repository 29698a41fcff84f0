"""Messages shared across the app's screens and widgets.

Run messages travel from the worker thread to the UI thread (``post_message``
is thread-safe). A newer :class:`RunUpdate` replaces one still queued, so a
slow UI only ever draws the latest state of a run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual.message import Message

from tutor.runner import RunRecord, Snapshot


@dataclass
class OpenLesson(Message):
    """Show a lesson (from the command palette or the CLI), optionally starting it."""

    lesson_id: str
    autorun: bool = False


@dataclass
class RunUpdate(Message):
    """The state of a run so far: posted at most ten times a second."""

    run_id: int
    snapshot: Snapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunUpdate) and message.run_id == self.run_id


@dataclass
class RunFinished(Message):
    """A run ended (finished, stopped, diverged or failed), with its final state."""

    run_id: int
    record: RunRecord
    snapshot: Snapshot


@dataclass
class LessonPassed(Message):
    """A run met its lesson's challenge."""

    lesson_id: str


@dataclass
class RunRecorded(Message):
    """A run ended: its record is ready to be kept with the lesson's recent runs.

    Posted to the screen, so a run ended by opening another lesson is kept too;
    ``cancel`` is the run's Stop flag, which the app tracks until the record is kept.
    """

    record: RunRecord
    cancel: threading.Event
