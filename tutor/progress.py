"""What the learner has done: passed lessons, the last lesson opened, recent runs.

Stored as one JSON file in the user data directory. Writes are atomic (a
temporary file renamed over the old one), a corrupt file is moved aside with a
warning instead of crashing, and a read-only directory only means progress is
not saved - the tutor keeps working and says so once.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tutor.paths import user_data_dir

RUNS_KEPT = 5
FORMAT = 1


class ProgressStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else user_data_dir() / "progress.json"
        self.warning: str | None = None
        self._data: dict[str, Any] = self._read()

    # ------------------------------------------------------------ reading

    def _fresh(self) -> dict[str, Any]:
        return {"format": FORMAT, "passed": {}, "last_lesson": None, "runs": {}}

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._fresh()
        except OSError as error:
            self.warning = f"Could not read your progress ({error}); starting afresh for this session."
            return self._fresh()
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("passed", {}), dict) \
                    or not isinstance(data.get("runs", {}), dict):
                raise ValueError("unexpected layout")
        except ValueError as error:
            aside = self._set_aside()
            self.warning = (f"Your progress file was damaged ({error}); it was moved to {aside} "
                            "and a fresh one started.")
            return self._fresh()
        fresh = self._fresh()
        fresh.update(data)
        return fresh

    def _set_aside(self) -> Path:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except OSError:
            pass
        return aside

    # ------------------------------------------------------------ queries

    def passed(self, lesson_id: str) -> bool:
        return lesson_id in self._data["passed"]

    @property
    def last_lesson(self) -> str | None:
        return self._data.get("last_lesson")

    def runs(self, lesson_id: str) -> list[dict[str, Any]]:
        return list(self._data["runs"].get(lesson_id, []))

    # ------------------------------------------------------------ changes

    def mark_passed(self, lesson_id: str) -> None:
        if not self.passed(lesson_id):
            self._data["passed"][lesson_id] = _dt.date.today().isoformat()
            self.save()

    def set_last_lesson(self, lesson_id: str) -> None:
        if self._data.get("last_lesson") != lesson_id:
            self._data["last_lesson"] = lesson_id
            self.save()

    def add_run(self, record: dict[str, Any]) -> None:
        """Keep the last few runs of a lesson (their params, status and history)."""
        kept = {key: record.get(key) for key in ("params", "seed", "status", "history", "result", "challenge_met")}
        runs = self._data["runs"].setdefault(record["lesson"], [])
        runs.append(kept)
        del runs[:-RUNS_KEPT]
        self.save()

    def save(self) -> bool:
        """Write atomically; on failure keep working in memory and set ``warning``."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".progress-", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(self._data, file, indent=1)
            os.replace(temporary, self.path)
            return True
        except OSError as error:
            self.warning = f"Progress is not being saved: cannot write {self.path.parent} ({error.strerror or error})."
            return False
