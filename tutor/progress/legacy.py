"""The ``progress.json`` of tutors before the database, imported once and left where it is.

Its valid parts are kept; a damaged file is set aside under a unique name, with a warning.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from tutor.progress.database import RUNS_KEPT, insert_pass, insert_run, reason, set_state, unique_aside_name
from tutor.records import stored_text

LEGACY_NAME = "progress.json"


def import_legacy(conn: sqlite3.Connection, path: Path, learner: str, set_aside: bool = True) -> tuple[str, str | None]:
    """Bring in ``path`` for ``learner``, keeping every valid part: (what happened, a warning or None)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return "not a file", None
        raw = path.read_bytes()
    except FileNotFoundError:
        return "absent", None
    except OSError as error:
        return "unreadable", f"Could not read your old progress file {path} ({reason(error)})."
    problems: list[str] = []
    try:
        data = json.loads(raw.decode("utf-8-sig"))  # a byte-order mark is not damage
    except UnicodeDecodeError:
        data, problems = None, ["it is not UTF-8 text"]
    except RecursionError:
        data, problems = None, ["it is nested too deeply"]
    except (ValueError, MemoryError) as error:
        data, problems = None, [f"it is not JSON: {reason(error)}"]
    if data is not None and not isinstance(data, dict):
        data, problems = None, [f"it holds a {type(data).__name__}, not a table"]
    if isinstance(data, dict):
        problems += _import_parts(conn, learner, data)
    if not problems:
        return "imported", None
    where = "it was left in place"
    if set_aside:
        aside = unique_aside_name(path)
        try:
            os.replace(path, aside)
            where = f"it was moved to {aside}"
        except OSError:
            where = "it could not be moved"
    kept = "the rest was kept" if isinstance(data, dict) else "a fresh one was started"
    return "damaged", f"Your progress file was damaged ({problems[0]}); {where} and {kept}."


def _import_parts(conn: sqlite3.Connection, learner: str, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    passed = data.get("passed", {})
    if isinstance(passed, dict):
        for lesson, when in passed.items():
            insert_pass(conn, learner, lesson, when if isinstance(when, str) else "")
    else:
        problems.append("'passed' is not a table")
    last = data.get("last_lesson")
    if isinstance(last, str):
        set_state(conn, learner, "last_lesson", last)
    elif last is not None:
        problems.append("'last_lesson' is not a lesson id")
    runs = data.get("runs", {})
    if not isinstance(runs, dict):
        return problems + ["'runs' is not a table"]
    for lesson, records in runs.items():
        if not isinstance(records, list):
            problems.append(f"runs.{lesson[:40]} is not a list")
            continue
        good = [record for record in records if isinstance(record, dict)]
        if len(good) < len(records):
            problems.append(f"runs.{lesson[:40]} holds something that is not a run")
        for record in good[-RUNS_KEPT:]:
            insert_run(conn, learner, lesson, stored_text(record))
    return problems
