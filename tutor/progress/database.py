"""The progress database's tables and the few row changes more than one module makes.

Every table has a ``learner`` column: '' is the single local learner; a class keeps all its
learners in one database, each store reading and writing its own learner's rows.
"""

from __future__ import annotations

import datetime as _dt
import os
import secrets
import sqlite3
from pathlib import Path

RUNS_KEPT = 20  # per lesson; the app overlays the last few, the rest is history
SCHEMA_VERSION = 1

# Exercise progress lives in the ``state`` table, one key per lesson: "exercise-passed:<id>" -> the day.
EXERCISE_PASSED, HINTS_SHOWN = "exercise-passed:", "hints-shown:"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS passed (
    learner TEXT NOT NULL DEFAULT '', lesson TEXT NOT NULL, passed_on TEXT NOT NULL,
    PRIMARY KEY (learner, lesson));
CREATE TABLE IF NOT EXISTS state (
    learner TEXT NOT NULL DEFAULT '', key TEXT NOT NULL, value TEXT,
    PRIMARY KEY (learner, key));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, learner TEXT NOT NULL DEFAULT '',
    lesson TEXT NOT NULL, saved_at TEXT NOT NULL, record TEXT NOT NULL);
"""
INDEX = "CREATE INDEX IF NOT EXISTS runs_by_lesson ON runs (learner, lesson, id)"
COLUMNS = {
    "meta": {"key", "value"},
    "passed": {"learner", "lesson", "passed_on"},
    "state": {"learner", "key", "value"},
    "runs": {"id", "learner", "lesson", "saved_at", "record"},
}


def insert_run(conn: sqlite3.Connection, learner: str, lesson: str, text: str) -> None:
    """Keep a run (its stored text); only the newest RUNS_KEPT of the lesson stay."""
    conn.execute(
        "INSERT INTO runs (learner, lesson, saved_at, record) VALUES (?, ?, ?, ?)",
        (learner, lesson, now(), text),
    )
    # The index makes this cheap.
    conn.execute(
        "DELETE FROM runs WHERE learner = ? AND lesson = ? AND id <= "
        "(SELECT id FROM runs WHERE learner = ? AND lesson = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
        (learner, lesson, learner, lesson, RUNS_KEPT),
    )


def insert_pass(conn: sqlite3.Connection, learner: str, lesson: str, day: str) -> None:
    """The lesson is passed (the first day it was is kept)."""
    conn.execute("INSERT OR IGNORE INTO passed (learner, lesson, passed_on) VALUES (?, ?, ?)", (learner, lesson, day))


def set_state(conn: sqlite3.Connection, learner: str, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO state (learner, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (learner, key) DO UPDATE SET value = excluded.value",
        (learner, key, value),
    )


def now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def today() -> str:
    return _dt.date.today().isoformat()


def unique_aside_name(path: Path, label: str = "corrupt") -> Path:
    """``name.corrupt-<time>-<random>``: two set-asides never share a name, even in one second."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return path.with_name(f"{path.name}.{label}-{stamp}-{os.getpid()}-{secrets.token_hex(3)}")


def reason(error: BaseException) -> str:
    """An error in a few words, for a warning line."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__
