"""One run as it is kept: the :class:`RunRecord`, and its one JSON form.

The same record is held by the app, written by ``tutor run --json`` and kept in the progress
database: :func:`to_builtins` makes it plain data (NumPy numbers and arrays as numbers and
lists) and :func:`dumps` writes that as text - nowhere else. A record read back from the
database is checked field by field against the types declared here (:func:`stored_run`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final, Literal

import msgspec

# How a run ended (saved with it, shown, and a headless run's exit code).
RunStatus = Literal["finished", "stopped", "diverged", "failed"]
FINISHED: Final = "finished"
STOPPED: Final = "stopped"
DIVERGED: Final = "diverged"
FAILED: Final = "failed"


class RunRecord(msgspec.Struct, kw_only=True):
    """One run, as saved, compared and written with ``--json``."""

    lesson: str
    params: dict[str, Any]
    seed: int
    status: RunStatus = FINISHED
    history: list[dict[str, float]] = []
    result: dict[str, Any] = {}
    challenge_met: bool | None = None
    challenge: str = ""
    error: str | None = None
    traceback: str | None = None
    started: str = ""
    seconds: float = 0.0
    versions: dict[str, str] = {}
    mine: bool = False  # run with the learner's own exercise functions

    @property
    def ok(self) -> bool:
        return self.status in (FINISHED, STOPPED)

    @property
    def passes_lesson(self) -> bool:
        """Does this run pass its lesson? Only a run of the tutor's own code that met the challenge:
        a run with the learner's functions (``mine``) computed its results where their code could
        change them (their exercise is passed by its checks)."""
        return self.status == FINISHED and self.challenge_met is True and not self.mine

    def to_json(self) -> dict[str, Any]:
        """The record as plain data (what ``--json`` writes and the app keeps of an earlier run)."""
        data: dict[str, Any] = to_builtins(self)
        return data


# The fields the progress database keeps of a run (the rest - its error, versions - is for --json).
STORED_FIELDS = ("params", "seed", "status", "history", "result", "challenge_met", "mine")
_FIELD_TYPES: dict[str, Any] = {field.name: field.type for field in msgspec.structs.fields(RunRecord)}
_HISTORY_POINT = dict[str, float]


def _number_or_array(value: Any) -> Any:
    """NumPy scalars and arrays (anything with ``tolist``) as Python numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not plain data")


def _number_array_or_text(value: Any) -> Any:
    try:
        return _number_or_array(value)
    except Exception:  # noqa: BLE001 - kept as text rather than lost
        return str(value)


def to_builtins(value: Any, *, lenient: bool = False) -> Any:
    """``value`` as plain data: dicts with text keys, lists, numbers, text.

    Strict (the default), something that is not data raises :class:`TypeError`; ``lenient``
    writes it as text instead (a record already taken must still be kept).
    """
    hook = _number_array_or_text if lenient else _number_or_array
    return _lists(msgspec.to_builtins(value, str_keys=True, enc_hook=hook))


def _lists(value: Any) -> Any:
    """Tuples as lists, as JSON reads them back (msgspec leaves tuples as they are)."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(item) for item in value]
    return value


def dumps(value: Any, indent: int | None = None) -> str:
    """The one JSON text of a record (or the ``--json`` document holding one).

    A NaN or infinite result is written as JSON's ``NaN``/``Infinity``, read back as it was.
    """
    return json.dumps(value, indent=indent)


def stored_text(run: RunRecord | Mapping[str, Any]) -> str:
    """What the database keeps of a run, as text - whatever the routine put in it: a field that
    cannot be written is replaced by a note (keeping its shape), never the run lost."""
    kept = {name: getattr(run, name) if isinstance(run, RunRecord) else run.get(name) for name in STORED_FIELDS}
    try:
        return dumps(to_builtins(kept, lenient=True))
    except (ValueError, TypeError, RecursionError):  # circular, too deep
        pass
    for name in ("result", "history", "params"):
        try:
            kept[name] = to_builtins(kept[name], lenient=True)
        except (ValueError, TypeError, RecursionError):
            # Keep the field's shape (a table, or a list for history) so readers can rely on it.
            note = f"could not be saved ({type(kept[name]).__name__} that JSON cannot hold)"
            kept[name] = [] if name == "history" else {"note": note}
    try:
        return dumps(to_builtins(kept, lenient=True))
    except (ValueError, TypeError, RecursionError):
        return dumps({"status": str(kept.get("status")), "result": "(could not be saved)"})


def stored_run(data: Any) -> dict[str, Any] | None:
    """A run read back from the database, each kept field of the type :class:`RunRecord`
    declares (one of another type reads as None; a history keeps its points that are points),
    or None if ``data`` is not a run at all. The app plots ``history`` and lists ``params``."""
    if not isinstance(data, dict):
        return None
    run: dict[str, Any] = {}
    for name in STORED_FIELDS:
        value = data.get(name)
        if name == "history" and isinstance(value, list):
            run[name] = [point for point in value if _is(point, _HISTORY_POINT)]
        else:
            run[name] = value if value is None or _is(value, _FIELD_TYPES[name]) else None
    return run


def _is(value: Any, kind: Any) -> bool:
    try:
        msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError:
        return False
    return True
