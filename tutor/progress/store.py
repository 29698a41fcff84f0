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

An older ``progress.json`` is imported once (:mod:`tutor.progress.legacy`).

Every table has a ``learner`` column and a store reads and writes only its own
learner's rows: '' is the single local learner; a class (``tutor serve --class``)
keeps all its learners in one database in the class folder, each store opened
with the learner's name, and :mod:`tutor.progress.overview` reads them all for
the teacher.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from tutor.paths import user_data_dir
from tutor.progress import legacy
from tutor.progress.database import (
    COLUMNS,
    EXERCISE_PASSED,
    HINTS_SHOWN,
    INDEX,
    RUNS_KEPT,
    SCHEMA,
    SCHEMA_VERSION,
    insert_pass,
    insert_run,
    now,
    reason,
    set_state,
    today,
    unique_aside_name,
)
from tutor.records import RunRecord, stored_run, stored_text

DB_NAME = "progress.sqlite3"
BUSY_TIMEOUT_S = 30.0  # a commit takes milliseconds; this only bounds a stuck writer

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


def _loads_dict(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


class ProgressStore:
    def __init__(self, path: Path | None = None, learner: str = "") -> None:
        """``learner``: whose progress this store reads and writes ('' = the one local learner)."""
        self.path = Path(path) if path else user_data_dir() / DB_NAME
        self.legacy_path = self.path.with_name(legacy.LEGACY_NAME)
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
                    for statement in SCHEMA.strip().split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    self._check_schema(conn)
                    conn.execute(INDEX)
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
        for table, wanted in COLUMNS.items():
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
        self.warning = f"Your progress database was damaged ({reason(error)}); {where} and a fresh one started."

    def _use_memory(self, error: BaseException) -> None:
        """Keep working with an in-memory copy (what could be read) and say progress is not saved."""
        memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if self._memory is None and self.path.is_file():
            with contextlib.suppress(sqlite3.Error, OSError):
                with contextlib.closing(sqlite3.connect(self.path, timeout=1.0)) as source:
                    source.backup(memory)
        self._memory = memory
        for statement in SCHEMA.strip().split(";"):
            if statement.strip():
                with contextlib.suppress(sqlite3.Error):
                    memory.execute(statement)
        with contextlib.suppress(sqlite3.Error):
            memory.execute(INDEX)
        with contextlib.suppress(sqlite3.Error):
            if memory.execute("SELECT 1 FROM meta WHERE key = 'legacy_json'").fetchone() is None:
                memory.execute(
                    "INSERT INTO meta (key, value) VALUES ('legacy_json', ?)",
                    (self._import_legacy(memory, set_aside=False),),
                )
        self.warning = f"Progress is not being saved: cannot write {self.path.parent} ({reason(error)})."

    # ------------------------------------------------------------ the old JSON file

    def _import_legacy(self, conn: sqlite3.Connection, set_aside: bool = True) -> str:
        """Bring in ``progress.json`` from before the database (see :mod:`tutor.progress.legacy`)."""
        if self.legacy_path == self.path:  # a store given the old file's name: there is nothing to import
            return "absent"
        outcome, warning = legacy.import_legacy(conn, self.legacy_path, self.learner, set_aside)
        self.warning = warning or self.warning
        return outcome

    # ------------------------------------------------------------ doing

    def _write(self, action: Callable[[sqlite3.Connection], Any], activity: bool = True) -> None:
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
                                set_state(conn, self.learner, "last_active", now())
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

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows ``sql`` reads ([] if the database cannot be read: the warning says so).

        Only the store's own queries, and the teacher's overview of a class, read rows.
        """
        with self._lock:
            for attempt in range(2):
                try:
                    with self._connection() as conn:
                        return conn.execute(sql, args).fetchall()
                except sqlite3.Error as error:
                    if attempt == 0 and self._memory is None and _is_damage(error):
                        self._set_aside_database(error)
                        self._open(retry_damage=False)
                        continue
                    self.warning = self.warning or f"Could not read your progress ({reason(error)})."
                    return []
            return []

    # ------------------------------------------------------------ queries

    def passed(self, lesson_id: str) -> bool:
        return bool(self.query("SELECT 1 FROM passed WHERE learner = ? AND lesson = ?", (self.learner, lesson_id)))

    @property
    def last_lesson(self) -> str | None:
        rows = self.query("SELECT value FROM state WHERE learner = ? AND key = 'last_lesson'", (self.learner,))
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    @property
    def language(self) -> str | None:
        """The language the learner last chose in the app (its command palette), None if never."""
        rows = self.query("SELECT value FROM state WHERE learner = ? AND key = 'language'", (self.learner,))
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    def runs(self, lesson_id: str) -> list[dict[str, Any]]:
        """The lesson's recent runs, oldest first; a row that is not a run is skipped."""
        rows = self.query(
            "SELECT record FROM runs WHERE learner = ? AND lesson = ? ORDER BY id", (self.learner, lesson_id)
        )
        return [run for run in (stored_run(_loads_dict(row[0])) for row in rows[-RUNS_KEPT:]) if run is not None]

    @property
    def saving(self) -> bool:
        """False once progress lives only in memory for this session."""
        return self._memory is None

    # ------------------------------------------------------------ changes

    def record(self, run: RunRecord) -> bool:
        """Keep a run (the lesson keeps its last RUNS_KEPT) and, if it passes its lesson
        (:attr:`RunRecord.passes_lesson`), the pass - in one transaction. True if it passed."""
        text, passes = stored_text(run), run.passes_lesson

        def change(conn: sqlite3.Connection) -> None:
            insert_run(conn, self.learner, run.lesson, text)
            if passes:
                insert_pass(conn, self.learner, run.lesson, today())

        self._write(change)
        return passes

    def mark_passed(self, lesson_id: str) -> None:
        self._write(lambda conn: insert_pass(conn, self.learner, lesson_id, today()))

    def set_last_lesson(self, lesson_id: str) -> None:
        self._write(lambda conn: set_state(conn, self.learner, "last_lesson", lesson_id))

    def set_language(self, code: str) -> None:
        self._write(lambda conn: set_state(conn, self.learner, "language", code), activity=False)

    # ------------------------------------------------------------ exercises (kept in ``state``, per learner)

    def exercise_passed(self, lesson_id: str) -> bool:
        """The learner's own code has passed every check of the lesson's exercise (once is enough)."""
        key = EXERCISE_PASSED + lesson_id
        return bool(self.query("SELECT 1 FROM state WHERE learner = ? AND key = ?", (self.learner, key)))

    def mark_exercise_passed(self, lesson_id: str) -> None:
        self._write(
            lambda conn: conn.execute(
                "INSERT OR IGNORE INTO state (learner, key, value) VALUES (?, ?, ?)",
                (self.learner, EXERCISE_PASSED + lesson_id, today()),
            )
        )

    def hints_shown(self, lesson_id: str) -> int:
        """How many of the exercise's hints the learner has asked for (they come one at a time)."""
        rows = self.query(
            "SELECT value FROM state WHERE learner = ? AND key = ?", (self.learner, HINTS_SHOWN + lesson_id)
        )
        try:
            return max(0, int(rows[0][0])) if rows else 0
        except (TypeError, ValueError):
            return 0

    def set_hints_shown(self, lesson_id: str, count: int) -> None:
        self._write(lambda conn: set_state(conn, self.learner, HINTS_SHOWN + lesson_id, str(int(count))))

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


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
