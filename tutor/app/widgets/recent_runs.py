"""The lesson's recent runs side by side: what differed, how each ended, its final metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tutor.course import Lesson
from tutor.formatting import format_number
from tutor.i18n import _
from tutor.views import display_name
from tutor.watching import status_word

RUNS_LISTED = 10  # the Runs tab lists a lesson's last ten
RUNS_OVERLAID = 3  # earlier runs whose loss curves are overlaid on the current one


def recent_runs(runs: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A lesson's runs as the app holds them: the last RUNS_LISTED, of which only the last
    RUNS_OVERLAID keep their history (a long run's history is megabytes; the app runs for hours)."""
    runs = runs[-RUNS_LISTED:]
    return [run if index >= len(runs) - RUNS_OVERLAID else {**run, "history": []} for index, run in enumerate(runs)]


def _value(value: Any) -> Text:
    """A cell as text, never markup (parameter values come from the learner)."""
    if isinstance(value, float):
        return Text(format_number(value))
    return Text(str(value))


class RecentRuns(DataTable):
    """One row per run, newest first; the parameters that vary between them as columns."""

    DEFAULT_CSS = """
    RecentRuns { height: 1fr; }
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True

    def show(self, runs: Sequence[Mapping[str, Any]], lesson: Lesson) -> None:
        runs = [run for run in runs if isinstance(run, Mapping)][-RUNS_LISTED:][::-1]
        self.clear(columns=True)
        if not runs:
            self.add_column(_("Recent runs"))
            self.add_row(_("No runs yet: press Run (ctrl+r)."))
            return
        params = [
            name for name in lesson.params if len({repr((run.get("params") or {}).get(name)) for run in runs}) > 1
        ]
        results = [
            name
            for name, value in (runs[0].get("result") or {}).items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)
        ][:4]
        self.add_columns(
            "#",
            *(Text(name) for name in params),
            _("status"),
            *(Text(display_name(name)) for name in results),
            _("challenge"),
        )
        for number, run in zip(range(len(runs), 0, -1), runs):
            values = run.get("params") or {}
            result = run.get("result") or {}
            met = {True: _("met ✓"), False: _("not met"), None: "·"}.get(run.get("challenge_met"), "·")
            self.add_row(
                str(number),
                *(_value(values.get(name, "")) for name in params),
                _value(status_word(str(run.get("status", "")))),
                *(_value(result.get(name, "")) for name in results),
                met,
            )
