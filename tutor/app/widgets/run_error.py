"""Why a run did not finish: the message, and the traceback of a routine's bug."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from tutor.i18n import _
from tutor.runner import DIVERGED, RunRecord


def short_paths(text: str) -> str:
    """Tracebacks name files relative to the project or site-packages: shorter, and the same on every machine."""
    project = str(Path(__file__).resolve().parents[3]) + "/"
    prefixes = [(project, "")]
    for key in ("purelib", "platlib", "stdlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            prefixes.append((path + "/", f"<{Path(path).name}>/"))
    prefixes.append((sys.prefix + "/", "<python>/"))
    for prefix, short in prefixes:
        text = text.replace(f'"{prefix}', f'"{short}')
    return text


def routine_frames(text: str) -> str:
    """Drop the runner's own frame: the learner wants to see where the routine failed."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith('  File "'):
            skipping = 'tutor/runner.py"' in line
        elif not line.startswith("    "):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


class RunError(Vertical):
    """Hidden until a run fails or diverges; the app keeps working either way."""

    def compose(self) -> ComposeResult:
        yield Static("", id="error-message", markup=False)
        yield RichLog(id="error-traceback", wrap=False, highlight=False, markup=False)

    def show(self, record: RunRecord) -> None:
        headline = _("The run diverged") if record.status == DIVERGED else _("The run failed")
        self.query_one("#error-message", Static).update(f"✗ {headline}: {record.error}")
        log = self.query_one("#error-traceback", RichLog)
        log.clear()
        if record.traceback:
            text = routine_frames(short_paths(record.traceback.rstrip()))
            log.write(text)
            # A fixed height: an auto-height RichLog was sometimes left one row high,
            # its traceback unseen (it writes only once it has been laid out).
            log.styles.height = min(len(text.splitlines()) + 1, 14)
        log.display = bool(record.traceback)
        self.add_class("-shown")

    def note(self, text: str) -> None:
        """A finished run with something to say (a challenge that could not be judged): no traceback."""
        self.query_one("#error-message", Static).update(f"! {text}")
        self.query_one("#error-traceback", RichLog).display = False
        self.add_class("-shown")

    def clear(self) -> None:
        self.remove_class("-shown")
