"""Why a run did not finish: the message, and the traceback of a routine's bug."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from tutor.runner import DIVERGED, RunRecord


class RunError(Vertical):
    """Hidden until a run fails or diverges; the app keeps working either way."""

    def compose(self) -> ComposeResult:
        yield Static("", id="error-message", markup=False)
        yield RichLog(id="error-traceback", wrap=False, highlight=False, markup=False)

    def show(self, record: RunRecord) -> None:
        headline = "The run diverged" if record.status == DIVERGED else "The run failed"
        self.query_one("#error-message", Static).update(f"✗ {headline}: {record.error}")
        log = self.query_one("#error-traceback", RichLog)
        log.clear()
        if record.traceback:
            log.write(record.traceback.rstrip())
        log.display = bool(record.traceback)
        self.add_class("-shown")

    def clear(self) -> None:
        self.remove_class("-shown")
