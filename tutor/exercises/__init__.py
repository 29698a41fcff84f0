"""Exercises: the learner writes a lesson's maths, the tutor checks it and can train with it.

An exercise is a folder next to its lesson file, ``<lesson dir>/exercises/<lesson-id>/``:

- ``exercise.toml``: ``functions`` (the names the learner writes, in order), ``hints``
  (gentlest first), ``intro`` (what to write), optional ``timeout`` (seconds for all
  checks) and ``memory_mb`` (the checks' memory limit; Keras exercises need more);
- ``starter.py``: what the learner starts from (signatures, docstrings, ``# TODO``);
- ``checks.py``: the checks, written with :mod:`tutor.exercises.checking`.

The reference solution is the tutor's own function of the same name in the lesson's
routine module: one copy of the maths, shown by :func:`solution_source`.

The learner's file is ``<workspace>/<lesson-id>.py``. Its checks never run in the tutor's
process (:func:`run_checks` starts ``python -m tutor.exercises.worker`` with a time and a
memory limit); :func:`routine_with` gives the lesson's routine running with the learner's
functions, for a run of the learner's own code.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec

from tutor.exercises._course import resolve_routine, split_routine
from tutor.exercises.checking import NOT_WRITTEN
from tutor.files import TutorFileError, show_path, write_atomic
from tutor.modules import load_module

EXERCISES_DIR = "exercises"  # beside the lesson files: <lesson dir>/exercises/<lesson-id>/
WORKSPACE_ENV = "TUTOR_WORKSPACE"
DEFAULT_WORKSPACE = "tutor-exercises"  # in the home folder: visible, for any editor
DEFAULT_TIMEOUT = 5.0  # seconds for all of an exercise's checks
DEFAULT_MEMORY_MB = 1024
STARTUP_GRACE = 20.0  # the worker's own start (Python, NumPy, the routine) is not the learner's time
MAX_TEXT = 2000  # characters of intro or of one hint
MAX_OUTPUT = 2000  # characters of the learner's prints kept in a report
PATH_CHARS = 240  # a path in an error is cut only when absurdly long (its end is what matters)


class ExerciseError(Exception):
    """An exercise (or a learner's file) could not be loaded; ``str()`` is ``file: field: problem``."""


@dataclass(frozen=True)
class Exercise:
    lesson_id: str
    folder: Path
    functions: tuple[str, ...]
    hints: tuple[str, ...]
    timeout: float
    intro: str
    starter: Path
    checks: Path
    memory_mb: int = DEFAULT_MEMORY_MB
    # The lesson's routine ("package.module:run") and a pack's code folder: where the reference is.
    routine: str = ""
    code_dir: Path | None = None


@dataclass(frozen=True)
class CheckResult:
    title: str
    ok: bool
    message: str = ""


@dataclass
class CheckReport:
    results: list[CheckResult] = field(default_factory=list)
    problem: str | None = None  # the file could not be loaded / timed out / crashed, with file:line
    seconds: float = 0.0
    output: str = ""  # what the learner's code printed (kept apart from the results)

    @property
    def passed(self) -> bool:
        return self.problem is None and bool(self.results) and all(result.ok for result in self.results)

    @property
    def not_written(self) -> str | None:
        """Why a run with this file would only stop at a TODO: "`f` is not written yet (...)", or None."""
        return next((r.message for r in self.results if not r.ok and NOT_WRITTEN in r.message), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "problem": self.problem,
            "seconds": round(self.seconds, 3),
            "results": [{"title": r.title, "ok": r.ok, "message": r.message} for r in self.results],
            "output": self.output,
        }


# ---------------------------------------------------------------- loading an exercise


class _ExerciseFile(msgspec.Struct, forbid_unknown_fields=True):
    """exercise.toml, strictly: an unknown or mistyped field is an error, never ignored."""

    functions: list[str]
    hints: list[str]
    intro: str
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB


# Newlines and tabs are layout; other controls and the bidirectional overrides are refused.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _field_of(error: msgspec.ValidationError) -> tuple[str, str]:
    """msgspec's "Expected `int`, got `str` - at `$.timeout`" as ("timeout", "expected int, got str")."""
    text = str(error)
    match = re.search(r" - at `\$\.?(.*)`$", text)
    where = match.group(1) if match else ""
    message = text[: match.start()] if match else text
    message = message.replace("`", "")
    return where, message[:1].lower() + message[1:]


def load_exercise(folder: Path, lesson: Any = None) -> Exercise:
    """Read ``folder`` (exercise.toml, starter.py, checks.py); raises ExerciseError.

    ``lesson`` (the exercise's lesson) tells where the reference functions are; without it
    the exercise can be read and started but not checked.
    """
    folder = Path(folder)
    path = folder / "exercise.toml"

    def problem(where: str, message: str) -> ExerciseError:
        return ExerciseError(f"{show_path(path, PATH_CHARS)}: {where + ': ' if where else ''}{message}")

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise problem("", f"cannot read the file ({error.strerror or error})") from None
    try:
        data = msgspec.toml.decode(raw, type=_ExerciseFile)
    except msgspec.ValidationError as error:
        raise problem(*_field_of(error)) from None
    except msgspec.DecodeError as error:
        raise problem("", f"invalid TOML: {error}") from None
    if not data.functions:
        raise problem("functions", "lists no function to write")
    for index, name in enumerate(data.functions):
        if not _IDENTIFIER.fullmatch(name):
            raise problem(f"functions[{index}]", f"{name[:40]!r} is not a Python name")
    if not data.hints:
        raise problem("hints", "has no hint (give at least one, gentlest first)")
    texts = [("intro", data.intro)] + [(f"hints[{i}]", hint) for i, hint in enumerate(data.hints)]
    for where, text in texts:
        if not text.strip():
            raise problem(where, "is empty")
        if _CONTROL.search(text):
            raise problem(where, "holds a control character (text is shown as written, never as markup)")
        if len(text) > MAX_TEXT:
            raise problem(where, f"is {len(text)} characters long; at most {MAX_TEXT}")
    if not 0 < data.timeout <= 600:
        raise problem("timeout", f"must be between 0 and 600 seconds, not {data.timeout}")
    if not 64 <= data.memory_mb <= 65536:
        raise problem("memory_mb", f"must be between 64 and 65536, not {data.memory_mb}")
    for name in ("starter.py", "checks.py"):
        if not (folder / name).is_file():
            raise ExerciseError(f"{show_path(folder / name, PATH_CHARS)}: missing (an exercise needs {name})")
    return Exercise(
        lesson_id=getattr(lesson, "id", None) or folder.name,
        folder=folder,
        functions=tuple(data.functions),
        hints=tuple(data.hints),
        timeout=float(data.timeout),
        intro=data.intro.strip(),
        starter=folder / "starter.py",
        checks=folder / "checks.py",
        memory_mb=data.memory_mb,
        routine=getattr(lesson, "routine", "") or "",
        code_dir=getattr(lesson, "code_dir", None),
    )


def exercise_folder(lesson: Any) -> Path | None:
    """Where ``lesson``'s exercise would be: ``<lesson dir>/exercises/<lesson-id>``."""
    if getattr(lesson, "path", None) is None:
        return None
    return Path(lesson.path).parent / EXERCISES_DIR / lesson.id


def find_exercise(lesson: Any) -> Exercise | None:
    """The lesson's exercise, or None when it has none; raises ExerciseError when it is broken."""
    folder = exercise_folder(lesson)
    if folder is None or not folder.is_dir():
        return None
    return load_exercise(folder, lesson)


# ---------------------------------------------------------------- the learner's files


def workspace_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--workspace DIR``, else ``$TUTOR_WORKSPACE``, else ``~/tutor-exercises``."""
    chosen = explicit or os.environ.get(WORKSPACE_ENV) or Path.home() / DEFAULT_WORKSPACE
    return Path(chosen).expanduser()


def learner_file(exercise: Exercise, workspace: Path) -> Path:
    return Path(workspace) / f"{exercise.lesson_id}.py"


def start(exercise: Exercise, workspace: Path) -> Path:
    """The learner's file, made from the starter if it is missing (an existing one is never touched)."""
    path = learner_file(exercise, workspace)
    if path.exists() or path.is_symlink():
        return path
    try:
        Path(workspace).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TutorFileError(f"cannot make the folder {show_path(workspace)}: {error.strerror or error}") from None
    write_atomic(path, exercise.starter.read_bytes())
    return path


def _kept_copy_name(path: Path) -> Path:
    """``<id>.py.<date-time>.bak``, with -2, -3... so that no earlier copy is overwritten."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for number in itertools.count(1):
        candidate = path.with_name(f"{path.name}.{stamp}{'' if number == 1 else f'-{number}'}.bak")
        if not candidate.exists():
            return candidate
    raise AssertionError("unreachable")


def reset(exercise: Exercise, workspace: Path) -> Path | None:
    """Put the starter back in the learner's file; returns where the old file was kept (None: nothing to keep).

    The old content is copied beside it first (``<id>.py.<date-time>.bak``), so it is never lost.
    """
    path = learner_file(exercise, workspace)
    starter = exercise.starter.read_bytes()
    if not path.exists():
        start(exercise, workspace)
        return None
    try:
        old = path.read_bytes()
    except OSError as error:
        raise TutorFileError(f"cannot read {show_path(path)}: {error.strerror or error}") from None
    kept = None
    if old != starter:
        kept = _kept_copy_name(path)
        write_atomic(kept, old)
    write_atomic(path, starter)
    return kept


# ---------------------------------------------------------------- the learner's module


def _learner_module_name(path: Path) -> str:
    return f"tutor_learner_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}"


def load_learner_module(path: Path) -> ModuleType:
    """Import the learner's file as a fresh module; raises ExerciseError with ``file:line``.

    Only exceptions are caught (a time limit, Ctrl+C and SystemExit pass through).
    """
    path = Path(path)
    if not path.is_file():
        raise ExerciseError(f"{show_path(path)}: no such file (run `tutor exercise {path.stem}` to make it)")
    try:
        module = load_module(path, _learner_module_name(path))
    except SyntaxError as error:
        where = f"{path.name}:{error.lineno}" if error.lineno else path.name
        text = (error.text or "").strip()
        raise ExerciseError(f"{where}: syntax error: {error.msg}" + (f"\n    {text}" if text else "")) from None
    except Exception as error:
        line = _deepest_line(error, path)
        message = str(error).splitlines()[0] if str(error) else ""
        raise ExerciseError(
            f"{path.name}:{line}: {type(error).__name__}{': ' if message else ''}{message} (while loading your file)"
        ) from None
    return module


def _deepest_line(error: BaseException, path: Path) -> int:
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno or line
    return line


def missing_functions(module: ModuleType, exercise: Exercise, reference: ModuleType | None = None) -> str | None:
    """Why the learner's module cannot stand in for the reference (a missing function, other parameters)."""
    for name in exercise.functions:
        function = getattr(module, name, None)
        if not callable(function):
            return f"your file has no function `{name}` (keep the starter's `def {name}(...)`)"
        if reference is None:
            continue
        wanted = list(inspect.signature(getattr(reference, name)).parameters)
        try:
            have = inspect.signature(function).parameters
        except (TypeError, ValueError):
            continue
        names = list(have)
        extra_have_defaults = all(have[n].default is not inspect.Parameter.empty for n in names[len(wanted) :])
        if names[: len(wanted)] != wanted or not extra_have_defaults:
            return (
                f"your `{name}({', '.join(names)})` takes other parameters than the tutor passes: "
                f"`{name}({', '.join(wanted)})` (keep the starter's signature)"
            )
    return None


def reference_module(exercise: Exercise) -> ModuleType:
    """The lesson's routine module, where the reference functions are."""
    if not exercise.routine:
        raise ExerciseError(f"{show_path(exercise.folder)}: exercise loaded without its lesson")
    run = resolve_routine(exercise.routine, exercise.code_dir)
    return sys.modules[run.__module__]


def routine_with(lesson: Any, exercise: Exercise, path: Path) -> Callable[[Any, Any], dict]:
    """The lesson's routine, running with the learner's functions in place of the tutor's.

    A FRESH copy of the routine module is made (the real one is untouched, so other runs
    and the reference stay right), and the learner's functions are put in its namespace:
    its ``run`` then calls them. Raises ExerciseError with ``file:line`` when the learner's
    file does not load or lacks a function.

    The learner's file is imported in THIS process: check it with :func:`run_checks` first,
    and do not call this when the report has a ``problem`` and no ``results`` (the file did
    not load there - a loop at its top level would hang here).
    """
    real = sys.modules[lesson.load_routine().__module__]
    learner = load_learner_module(Path(path))
    why = missing_functions(learner, exercise, real)
    if why:
        raise ExerciseError(f"{Path(path).name}: {why}")
    source = getattr(real, "__file__", None)
    if not source:
        raise ExerciseError(f"{lesson.routine}: the routine's module has no file to copy")
    fresh = load_module(source, f"{real.__name__}__with_learner_code")
    for function in exercise.functions:
        setattr(fresh, function, getattr(learner, function))
    run_name = split_routine(lesson.routine)[1]
    return getattr(fresh, run_name)


def solution_source(exercise: Exercise, lesson: Any) -> str:
    """The tutor's own functions for the exercise, as written in the routine (one copy of the maths)."""
    module = sys.modules[lesson.load_routine().__module__]
    return "\n\n".join(inspect.getsource(getattr(module, name)).rstrip() + "\n" for name in exercise.functions)


# ---------------------------------------------------------------- running the checks


def run_checks(exercise: Exercise, path: Path, timeout: float | None = None) -> CheckReport:
    """Run the exercise's checks on the learner's file in a separate process, with time and memory limits.

    Never raises for anything in the learner's file: a syntax error, an exception, an endless
    loop or a crash is a report whose ``problem`` says what and where.
    """
    limit = float(timeout if timeout is not None else exercise.timeout)
    began = time.monotonic()
    request: dict[str, Any] = {
        "checks": str(Path(exercise.checks).resolve()),  # the worker runs in a scratch folder
        "learner": str(Path(path).resolve()),
        "functions": list(exercise.functions),
        "routine": exercise.routine,
        "code_dir": str(Path(exercise.code_dir).resolve()) if exercise.code_dir else None,
        "timeout": limit,
        "memory_mb": exercise.memory_mb,
    }
    with tempfile.TemporaryDirectory(prefix="tutor-checks-") as scratch:
        answer = Path(scratch) / "report.json"
        request["answer"] = str(answer)
        # The worker imports this same tutor, wherever it was imported from (a checkout, a wheel).
        here = str(Path(__file__).resolve().parents[2])
        search = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
        environment = {
            **os.environ,
            "PYTHONPATH": search,
            "PYTHONDONTWRITEBYTECODE": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tutor.exercises.worker", json.dumps(request)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=scratch,
            env=environment,
            start_new_session=True,  # the whole group is killed if it overstays
        )
        killed = False
        try:
            printed, _ = process.communicate(timeout=limit + STARTUP_GRACE)
        except subprocess.TimeoutExpired:
            killed = True
            _kill_group(process)
            printed, _ = process.communicate()
        except BaseException:  # Ctrl+C while checking: no worker stays behind
            _kill_group(process)
            process.wait()
            raise
        report = _read_answer(answer)
    report.seconds = time.monotonic() - began
    report.output = _printed(printed, report.output)
    if killed:
        report.problem = (
            f"the checks did not finish within {limit:g} s and were stopped "
            "(is there a loop that never ends, or a very large array?)"
        )
    elif report.problem is None and not report.results:
        code = process.returncode
        reason = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        tail = printed.decode("utf-8", "replace").strip().splitlines()[-1:] if printed else []
        report.problem = "the checks crashed (" + reason + (f": {tail[0][:200]}" if tail else "") + ")"
    return report


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _read_answer(answer: Path) -> CheckReport:
    try:
        data = json.loads(answer.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return CheckReport()
    return CheckReport(
        results=[CheckResult(str(r["title"]), bool(r["ok"]), str(r.get("message", ""))) for r in data["results"]],
        problem=data.get("problem"),
        output=data.get("output", ""),
    )


def _printed(raw: bytes | None, captured: str) -> str:
    text = captured + (raw.decode("utf-8", "replace") if raw else "")
    text = _CONTROL.sub("", text)
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + "\n…"


__all__ = [
    "CheckReport",
    "CheckResult",
    "Exercise",
    "ExerciseError",
    "find_exercise",
    "learner_file",
    "load_exercise",
    "load_learner_module",
    "reset",
    "routine_with",
    "run_checks",
    "solution_source",
    "start",
    "workspace_dir",
]
