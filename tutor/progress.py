"""What the learner has done: passed lessons, the last lesson opened, recent runs.

Stored in one SQLite database (``progress.sqlite3``) in the user data folder, so
that any number of processes - the app, headless runs in other terminals, the
sessions of ``tutor serve`` - can record runs at the same moment without losing
any: each change is one short transaction (WAL mode, a busy timeout), never a
rewrite of everything. A run touches only its own lesson's rows, so old runs of
other lessons never slow it down.

Nothing here stops a run from being recorded:

- a damaged database is set aside under a unique name, reported once through
  ``warning``, and a fresh one started;
- a folder that cannot be written keeps progress in memory for the session
  (an in-memory database with the same tables) and says so once;
- a result that JSON cannot hold is stored as text.

An older ``progress.json`` is imported once and left where it is; its damaged
parts are skipped and the file is set aside with a warning.

Every table has a ``learner`` column and a store reads and writes only its own
learner's rows: '' is the single local learner; a class (``tutor serve --class``)
keeps all its learners in one database in the class folder, each store opened
with the learner's name, and :meth:`ProgressStore.class_overview` reads them all
for the teacher.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.paths import user_data_dir

DB_NAME = "progress.sqlite3"
LEGACY_NAME = "progress.json"
RUNS_KEPT = 20  # per lesson; the app overlays the last few, the rest is history
RUNS_LISTED = 10  # the app's Runs tab lists a lesson's last ten
RUNS_OVERLAID = 3  # earlier runs whose loss curves the app overlays on the current one
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0  # a commit takes milliseconds; this only bounds a stuck writer
RUN_KEYS = ("params", "seed", "status", "history", "result", "challenge_met", "mine")


def recent_runs(runs: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A lesson's runs as the app holds them: the last RUNS_LISTED, of which only the last
    RUNS_OVERLAID keep their history (a long run's history is megabytes; the app runs for hours)."""
    runs = runs[-RUNS_LISTED:]
    return [run if index >= len(runs) - RUNS_OVERLAID else {**run, "history": []} for index, run in enumerate(runs)]


# Exercise progress lives in the ``state`` table, one key per lesson: "exercise-passed:<id>" -> the day.
EXERCISE_PASSED, HINTS_SHOWN = "exercise-passed:", "hints-shown:"

_SCHEMA = """
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
_INDEX = "CREATE INDEX IF NOT EXISTS runs_by_lesson ON runs (learner, lesson, id)"
_COLUMNS = {
    "meta": {"key", "value"},
    "passed": {"learner", "lesson", "passed_on"},
    "state": {"learner", "key", "value"},
    "runs": {"id", "learner", "lesson", "saved_at", "record"},
}

# SQLite's primary result codes for a file that is not (or no longer) a database.
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


class _Damaged(Exception):
    """The database opens but is not ours (tables missing or shaped differently)."""


def _is_damage(error: BaseException) -> bool:
    if isinstance(error, _Damaged):
        return True
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(error)
    return "not a database" in text or "malformed" in text


def unique_aside_name(path: Path, label: str = "corrupt") -> Path:
    """``name.corrupt-<time>-<random>``: two set-asides never share a name, even in one second."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return path.with_name(f"{path.name}.{label}-{stamp}-{os.getpid()}-{secrets.token_hex(3)}")


def _plain(value: Any) -> Any:
    """JSON fallback: numpy scalars and arrays as numbers and lists, anything else as text."""
    if hasattr(value, "tolist"):
        with contextlib.suppress(Exception):
            return value.tolist()
    return str(value)


def _dumps(kept: dict[str, Any]) -> str:
    """A run as JSON, whatever the routine put in it: a bad result never stops the run being saved."""
    try:
        return json.dumps(kept, default=_plain)
    except (ValueError, TypeError, RecursionError):  # circular, too deep, a key JSON refuses
        pass
    safe = dict(kept)
    for key in ("result", "history", "params"):
        try:
            json.dumps(safe[key], default=_plain)
        except (ValueError, TypeError, RecursionError):
            # Keep the field's shape (a table, or a list for history) so readers can rely on it.
            note = f"could not be saved ({type(safe[key]).__name__} that JSON cannot hold)"
            safe[key] = [] if key == "history" else {"note": note}
    try:
        return json.dumps(safe, default=_plain)
    except (ValueError, TypeError, RecursionError):
        return json.dumps({"status": str(kept.get("status")), "result": "(could not be saved)"})


def _loads_dict(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


# The shape callers rely on (the app plots ``history``, lists ``params`` and ``result``).
_RUN_SHAPES: dict[str, tuple[type, ...]] = {
    "params": (dict,),
    "seed": (int,),
    "status": (str,),
    "history": (list,),
    "result": (dict,),
    "challenge_met": (bool,),
    "mine": (bool,),
}


def valid_run(record: Any) -> dict[str, Any] | None:
    """A stored run with every field of the expected shape (a wrong one becomes None), or None."""
    if not isinstance(record, dict):
        return None
    run: dict[str, Any] = {}
    for key, kinds in _RUN_SHAPES.items():
        value: Any = record.get(key)
        if value is not None and (not isinstance(value, kinds) or key == "seed" and isinstance(value, bool)):
            value = None
        if key == "history" and value is not None:
            value = [point for point in value if isinstance(point, dict)]
        run[key] = value
    return run


@dataclass
class LearnerSummary:
    """One learner of a class as the teacher sees them: what they passed and when they were last active."""

    learner: str
    passed: dict[str, str] = field(default_factory=dict)  # lesson -> the day its challenge was met
    exercises: dict[str, str] = field(default_factory=dict)  # lesson -> the day its exercise passed
    runs: dict[str, int] = field(default_factory=dict)  # lesson -> runs kept
    last_active: str = ""  # ISO time of the newest run, pass or opened lesson


class ProgressStore:
    def __init__(self, path: Path | None = None, learner: str = "") -> None:
        """``learner``: whose progress this store reads and writes ('' = the one local learner)."""
        self.path = Path(path) if path else user_data_dir() / DB_NAME
        self.legacy_path = self.path.with_name(LEGACY_NAME)
        self.learner = learner
        self.warning: str | None = None
        self._lock = threading.RLock()  # the app records runs from worker threads
        self._memory: sqlite3.Connection | None = None  # set when progress cannot be saved
        with self._lock:
            self._open()

    # ------------------------------------------------------------ opening

    def _open(self, retry_damage: bool = True) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connection() as conn:
                self._begin(conn)
                try:
                    for statement in _SCHEMA.strip().split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    self._check_schema(conn)
                    conn.execute(_INDEX)
                    if conn.execute("SELECT 1 FROM meta WHERE key = 'legacy_json'").fetchone() is None:
                        outcome = self._import_legacy(conn)
                        conn.execute("INSERT INTO meta (key, value) VALUES ('legacy_json', ?)", (outcome,))
                    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
                # WAL lets readers and one writer work at once; it is a property of the file.
                with contextlib.suppress(sqlite3.OperationalError):
                    conn.execute("PRAGMA journal_mode=WAL")
        except (sqlite3.Error, _Damaged) as error:
            if retry_damage and _is_damage(error):
                self._set_aside_database(error)
                self._open(retry_damage=False)
            else:
                self._use_memory(error)
        except OSError as error:
            self._use_memory(error)

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        for table, wanted in _COLUMNS.items():
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            if not wanted <= have:
                raise _Damaged(f"the table {table} is not the tutor's")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is not None and str(row[0]).isdigit() and int(row[0]) > SCHEMA_VERSION:
            raise sqlite3.OperationalError("it was written by a newer version of the tutor")

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """One short-lived connection per change on disk (nothing held open between runs)."""
        if self._memory is not None:
            yield self._memory
            return
        if self.path.exists() and not self.path.is_file():
            raise sqlite3.OperationalError(f"{self.path} is not a file")
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    @staticmethod
    def _begin(conn: sqlite3.Connection) -> None:
        # IMMEDIATE takes the write lock up front, so the busy timeout applies (a read
        # transaction upgraded to a write later would fail at once instead of waiting).
        conn.execute("BEGIN IMMEDIATE")

    def _set_aside_database(self, error: BaseException) -> None:
        aside = unique_aside_name(self.path)
        try:
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):  # they belong to the damaged file
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
            where = f"it was moved to {aside}"
        except OSError:
            where = "it could not be moved"
        self.warning = f"Your progress database was damaged ({_reason(error)}); {where} and a fresh one started."

    def _use_memory(self, error: BaseException) -> None:
        """Keep working with an in-memory copy (what could be read) and say progress is not saved."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if self._memory is None and self.path.is_file():
            with contextlib.suppress(sqlite3.Error, OSError):
                with contextlib.closing(sqlite3.connect(self.path, timeout=1.0)) as source:
                    source.backup(memory)
        self._memory = memory
        for statement in _SCHEMA.strip().split(";"):
            if statement.strip():
                with contextlib.suppress(sqlite3.Error):
                    memory.execute(statement)
        with contextlib.suppress(sqlite3.Error):
            memory.execute(_INDEX)
        with contextlib.suppress(sqlite3.Error):
            if memory.execute("SELECT 1 FROM meta WHERE key = 'legacy_json'").fetchone() is None:
                memory.execute(
                    "INSERT INTO meta (key, value) VALUES ('legacy_json', ?)",
                    (self._import_legacy(memory, set_aside=False),),
                )
        self.warning = f"Progress is not being saved: cannot write {self.path.parent} ({_reason(error)})."

    # ------------------------------------------------------------ the old JSON file

    def _import_legacy(self, conn: sqlite3.Connection, set_aside: bool = True) -> str:
        """Bring in ``progress.json`` from before the database, keeping every valid part."""
        path = self.legacy_path
        if path == self.path:  # a store given the old file's name: there is nothing to import
            return "absent"
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                return "not a file"
            raw = path.read_bytes()
        except FileNotFoundError:
            return "absent"
        except OSError as error:
            self.warning = f"Could not read your old progress file {path} ({_reason(error)})."
            return "unreadable"
        problems: list[str] = []
        try:
            data = json.loads(raw.decode("utf-8-sig"))  # a byte-order mark is not damage
        except UnicodeDecodeError:
            data, problems = None, ["it is not UTF-8 text"]
        except RecursionError:
            data, problems = None, ["it is nested too deeply"]
        except (ValueError, MemoryError) as error:
            data, problems = None, [f"it is not JSON: {_reason(error)}"]
        if data is not None and not isinstance(data, dict):
            data, problems = None, [f"it holds a {type(data).__name__}, not a table"]
        if isinstance(data, dict):
            problems += self._import_legacy_parts(conn, data)
        if not problems:
            return "imported"
        where = "it was left in place"
        if set_aside:
            aside = unique_aside_name(path)
            try:
                os.replace(path, aside)
                where = f"it was moved to {aside}"
            except OSError:
                where = "it could not be moved"
        kept = "the rest was kept" if isinstance(data, dict) else "a fresh one was started"
        self.warning = f"Your progress file was damaged ({problems[0]}); {where} and {kept}."
        return "damaged"

    def _import_legacy_parts(self, conn: sqlite3.Connection, data: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        passed = data.get("passed", {})
        if isinstance(passed, dict):
            for lesson, when in passed.items():
                conn.execute(
                    "INSERT OR IGNORE INTO passed (learner, lesson, passed_on) VALUES (?, ?, ?)",
                    (self.learner, lesson, when if isinstance(when, str) else ""),
                )
        else:
            problems.append("'passed' is not a table")
        last = data.get("last_lesson")
        if isinstance(last, str):
            self._set_state(conn, "last_lesson", last)
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
                self._insert_run(conn, lesson, _dumps({key: record.get(key) for key in RUN_KEYS}))
        return problems

    # ------------------------------------------------------------ doing

    def _write(self, action, activity: bool = True) -> None:
        """Run ``action(conn)`` in one transaction; damage is set aside, an unwritable disk means memory.

        ``activity``: the change is something the learner did, so it also stamps their
        last activity (the teacher's table shows it) in the same transaction.
        """
        with self._lock:
            for attempt in range(3):
                try:
                    with self._connection() as conn:
                        self._begin(conn)
                        try:
                            action(conn)
                            if activity:
                                self._set_state(conn, "last_active", _now())
                            conn.execute("COMMIT")
                        except BaseException:
                            _rollback(conn)
                            raise
                    return
                except (sqlite3.Error, _Damaged, OSError) as error:
                    if self._memory is not None and attempt:
                        raise  # memory itself failed: a bug, not a disk problem
                    if attempt == 0 and _is_damage(error):
                        self._set_aside_database(error)
                        self._open(retry_damage=False)
                    elif self._memory is None:
                        self._use_memory(error)

    def _read(self, query: str, args: tuple, default: Any) -> list[tuple]:
        with self._lock:
            for attempt in range(2):
                try:
                    with self._connection() as conn:
                        return conn.execute(query, args).fetchall()
                except sqlite3.Error as error:
                    if attempt == 0 and self._memory is None and _is_damage(error):
                        self._set_aside_database(error)
                        self._open(retry_damage=False)
                        continue
                    self.warning = self.warning or f"Could not read your progress ({_reason(error)})."
                    return default
            return default

    def _insert_run(self, conn: sqlite3.Connection, lesson: str, text: str) -> None:
        conn.execute(
            "INSERT INTO runs (learner, lesson, saved_at, record) VALUES (?, ?, ?, ?)",
            (self.learner, lesson, _now(), text),
        )
        # Only the newest RUNS_KEPT of this lesson stay (the index makes this cheap).
        conn.execute(
            "DELETE FROM runs WHERE learner = ? AND lesson = ? AND id <= "
            "(SELECT id FROM runs WHERE learner = ? AND lesson = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (self.learner, lesson, self.learner, lesson, RUNS_KEPT),
        )

    def _set_state(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO state (learner, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (learner, key) DO UPDATE SET value = excluded.value",
            (self.learner, key, value),
        )

    # ------------------------------------------------------------ queries

    def passed(self, lesson_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM passed WHERE learner = ? AND lesson = ?", (self.learner, lesson_id), []))

    @property
    def last_lesson(self) -> str | None:
        rows = self._read("SELECT value FROM state WHERE learner = ? AND key = 'last_lesson'", (self.learner,), [])
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    @property
    def language(self) -> str | None:
        """The language the learner last chose in the app (its command palette), None if never."""
        rows = self._read("SELECT value FROM state WHERE learner = ? AND key = 'language'", (self.learner,), [])
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    def runs(self, lesson_id: str) -> list[dict[str, Any]]:
        """The lesson's recent runs, oldest first; a row that is not a run is skipped."""
        rows = self._read(
            "SELECT record FROM runs WHERE learner = ? AND lesson = ? ORDER BY id", (self.learner, lesson_id), []
        )
        return [run for run in (valid_run(_loads_dict(row[0])) for row in rows[-RUNS_KEPT:]) if run is not None]

    @property
    def saving(self) -> bool:
        """False once progress lives only in memory for this session."""
        return self._memory is None

    # ------------------------------------------------------------ changes

    def mark_passed(self, lesson_id: str) -> None:
        today = _dt.date.today().isoformat()
        self._write(
            lambda conn: conn.execute(
                "INSERT OR IGNORE INTO passed (learner, lesson, passed_on) VALUES (?, ?, ?)",
                (self.learner, lesson_id, today),
            )
        )

    def set_last_lesson(self, lesson_id: str) -> None:
        self._write(lambda conn: self._set_state(conn, "last_lesson", lesson_id))

    def set_language(self, code: str) -> None:
        self._write(lambda conn: self._set_state(conn, "language", code), activity=False)

    # ------------------------------------------------------------ exercises (kept in ``state``, per learner)

    def exercise_passed(self, lesson_id: str) -> bool:
        """The learner's own code has passed every check of the lesson's exercise (once is enough)."""
        key = EXERCISE_PASSED + lesson_id
        return bool(self._read("SELECT 1 FROM state WHERE learner = ? AND key = ?", (self.learner, key), []))

    def mark_exercise_passed(self, lesson_id: str) -> None:
        today = _dt.date.today().isoformat()
        self._write(
            lambda conn: conn.execute(
                "INSERT OR IGNORE INTO state (learner, key, value) VALUES (?, ?, ?)",
                (self.learner, EXERCISE_PASSED + lesson_id, today),
            )
        )

    def hints_shown(self, lesson_id: str) -> int:
        """How many of the exercise's hints the learner has asked for (they come one at a time)."""
        rows = self._read(
            "SELECT value FROM state WHERE learner = ? AND key = ?", (self.learner, HINTS_SHOWN + lesson_id), []
        )
        try:
            return max(0, int(rows[0][0])) if rows else 0
        except (TypeError, ValueError):
            return 0

    def set_hints_shown(self, lesson_id: str, count: int) -> None:
        self._write(lambda conn: self._set_state(conn, HINTS_SHOWN + lesson_id, str(int(count))))

    def add_run(self, record: dict[str, Any]) -> None:
        """Keep a run (its params, status, history, result); the lesson keeps its last RUNS_KEPT."""
        lesson = record.get("lesson")
        lesson = lesson if isinstance(lesson, str) else str(lesson)
        text = _dumps({key: record.get(key) for key in RUN_KEYS})
        self._write(lambda conn: self._insert_run(conn, lesson, text))

    def prune(self, lesson_ids: Iterable[str]) -> None:
        """Forget the runs of lessons that no longer exist (passes are kept: they are small)."""
        keep = sorted(set(lesson_ids))
        marks = ",".join("?" * len(keep))
        self._write(
            lambda conn: conn.execute(
                f"DELETE FROM runs WHERE learner = ? AND lesson NOT IN ({marks})", (self.learner, *keep)
            ),
            activity=False,
        )

    # ------------------------------------------------------------ the whole class

    def class_overview(self) -> list[LearnerSummary]:
        """Every learner of this database (not only this store's), by name: for the teacher's table."""
        learners: dict[str, LearnerSummary] = {}

        def summary(name: str) -> LearnerSummary:
            return learners.setdefault(name, LearnerSummary(name))

        for name, lesson, day in self._read("SELECT learner, lesson, passed_on FROM passed", (), []):
            summary(name).passed[lesson] = day
        for name, lesson, count in self._read(
            "SELECT learner, lesson, COUNT(*) FROM runs GROUP BY learner, lesson", (), []
        ):
            summary(name).runs[lesson] = count
        for name, value in self._read("SELECT learner, value FROM state WHERE key = 'last_active'", (), []):
            summary(name).last_active = value if isinstance(value, str) else ""
        for name, lesson, day in self._exercise_passes():
            summary(name).exercises[lesson] = day
        for learner in learners.values():  # a pass recorded before activity was stamped still counts
            learner.last_active = max([learner.last_active, *learner.passed.values(), *learner.exercises.values()])
        learners.pop("", None)  # the single local learner is not one of a class
        return sorted(learners.values(), key=lambda learner: learner.learner.casefold())

    def _exercise_passes(self) -> list[tuple]:
        """(learner, lesson, day) of every exercise pass in the database (kept in ``state``)."""
        rows = self._read("SELECT learner, key, value FROM state WHERE key LIKE ?", (EXERCISE_PASSED + "%",), [])
        return [(name, key[len(EXERCISE_PASSED) :], day) for name, key, day in rows]


def _now() -> str:
    return _dt.datetime.now().isoformat(timespec="seconds")


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0][:120] if str(error) else type(error).__name__
