"""Exercises: the learner writes a lesson's maths, the tutor checks it and can train with it.

An exercise is a folder next to its lesson file, ``<lesson dir>/exercises/<lesson-id>/``:

- ``exercise.toml``: ``functions`` (the names the learner writes, in order), ``hints``
  (gentlest first), ``intro`` (what to write), optional ``timeout`` (seconds for all
  checks) and ``memory_mb`` (the checks' memory limit; Keras exercises need more);
- ``starter.py``: what the learner starts from (signatures, docstrings, ``# TODO``);
  ``starter.zh.py`` beside it, the same functions with Chinese docstrings and TODOs, is what a
  learner working in Chinese starts from;
- ``checks.py``: the checks, written with :mod:`tutor.exercises.checking`.

The reference solution is the tutor's own function of the same name in the lesson's
routine module: one copy of the maths, shown by :func:`solution_source`.

The learner's file is ``<workspace>/<lesson-id>.py``. Its checks never run in the tutor's
process (:func:`run_checks` starts ``python -m tutor.exercises.worker`` with a time and a
memory limit); :func:`routine_with` gives the lesson's routine running with the learner's
functions, for a run of the learner's own code.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import inspect
import itertools
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec

from tutor import i18n, sandbox
from tutor.exercises._course import exercise_texts, resolve_routine, shipped_lessons_dir, split_routine
from tutor.exercises.checking import NOT_WRITTEN
from tutor.files import TutorFileError, show_path, write_atomic
from tutor.i18n import _
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
    backend: str = "numpy"  # "keras": the learner's functions are given the keras module


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
    notice: str | None = None  # "your code ran without a sandbox: ..." (locally, where none can be had)

    @property
    def passed(self) -> bool:
        return self.problem is None and bool(self.results) and all(result.ok for result in self.results)

    @property
    def not_written(self) -> str | None:
        """Why a run with this file would only stop at a TODO: "`f` is not written yet (...)", or None."""
        return next((r.message for r in self.results if not r.ok and _(NOT_WRITTEN) in r.message), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "problem": self.problem,
            "seconds": round(self.seconds, 3),
            "results": [{"title": r.title, "ok": r.ok, "message": r.message} for r in self.results],
            "output": self.output,
            "notice": self.notice,
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
        # file:line: field: problem - the field is the file's own word; the problem is in the tutor's language.
        return ExerciseError(f"{show_path(path, PATH_CHARS)}: {where + ': ' if where else ''}{message}")

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise problem("", _("cannot read the file ({error})").format(error=error.strerror or error)) from None
    try:
        data = msgspec.toml.decode(raw, type=_ExerciseFile)
    except msgspec.ValidationError as error:
        raise problem(*_field_of(error)) from None
    except msgspec.DecodeError as error:
        raise problem("", _("invalid TOML: {error}").format(error=error)) from None
    if not data.functions:
        raise problem("functions", _("lists no function to write"))
    for index, name in enumerate(data.functions):
        if not _IDENTIFIER.fullmatch(name):
            raise problem(f"functions[{index}]", _("{name} is not a Python name").format(name=repr(name[:40])))
    if not data.hints:
        raise problem("hints", _("has no hint (give at least one, gentlest first)"))
    texts = [("intro", data.intro)] + [(f"hints[{i}]", hint) for i, hint in enumerate(data.hints)]
    for where, text in texts:
        if not text.strip():
            raise problem(where, _("is empty"))
        if _CONTROL.search(text):
            raise problem(where, _("holds a control character (text is shown as written, never as markup)"))
        if len(text) > MAX_TEXT:
            too_long = _("is {length} characters long; at most {most}")
            raise problem(where, too_long.format(length=len(text), most=MAX_TEXT))
    if not 0 < data.timeout <= 600:
        raise problem("timeout", _("must be between 0 and 600 seconds, not {value}").format(value=data.timeout))
    if not 64 <= data.memory_mb <= 65536:
        raise problem("memory_mb", _("must be between 64 and 65536, not {value}").format(value=data.memory_mb))
    for name in ("starter.py", "checks.py"):
        if not (folder / name).is_file():
            missing = _("missing (an exercise needs {name})").format(name=name)
            raise ExerciseError(f"{show_path(folder / name, PATH_CHARS)}: {missing}")
    # In the lesson's language: exercise.<lang>.toml's texts, each one English where it is not translated.
    intro, hints = exercise_texts(folder, getattr(lesson, "language", "en"), data.intro.strip(), data.hints)
    return Exercise(
        lesson_id=getattr(lesson, "id", None) or folder.name,
        folder=folder,
        functions=tuple(data.functions),
        hints=hints,
        timeout=float(data.timeout),
        intro=intro,
        starter=folder / "starter.py",
        checks=folder / "checks.py",
        memory_mb=data.memory_mb,
        routine=getattr(lesson, "routine", "") or "",
        code_dir=getattr(lesson, "code_dir", None),
        backend=str(getattr(lesson, "backend", "numpy") or "numpy"),
    )


def exercise_folder(lesson: Any) -> Path | None:
    """Where ``lesson``'s exercise would be: ``<lesson dir>/exercises/<lesson-id>``."""
    if getattr(lesson, "path", None) is None:
        return None
    return Path(lesson.path).parent / EXERCISES_DIR / lesson.id


class UntrustedExercise(ExerciseError):
    """An exercise of a pack nobody passed explicitly: its checks and starter are code, so it does not run."""


def may_run_code(lesson: Any) -> bool:
    """Whether files beside ``lesson`` may run: the course's own, or a pack passed with --lessons / TUTOR_LESSONS.

    A pack picked up by itself (the data folder's ``lessons/``; in a class, a learner's own folder) has
    no code folder: its lessons may use the tutor's routines, and nothing of its own runs.
    """
    if getattr(lesson, "code_dir", None) is not None:
        return True
    path = getattr(lesson, "path", None)
    if path is None:
        return False
    shipped = Path(os.path.realpath(shipped_lessons_dir()))
    return shipped in Path(os.path.realpath(path)).parents


def find_exercise(lesson: Any) -> Exercise | None:
    """The lesson's exercise, or None when it has none; raises ExerciseError when it is broken.

    UntrustedExercise (saying why, in one line) when the lesson's pack may not run code of its own:
    its checks.py and starter.py are code, so the exercise is listed with that reason and never loaded.
    """
    folder = exercise_folder(lesson)
    if folder is None or not folder.is_dir():
        return None
    if not may_run_code(lesson):
        pack = show_path(Path(lesson.path).parent, PATH_CHARS)
        not_run = _(
            "not run: its pack {pack} was picked up by itself, and an exercise's checks are code; "
            "pass the pack with --lessons {pack} (or TUTOR_LESSONS) to use it"
        )
        raise UntrustedExercise(f"{show_path(folder, PATH_CHARS)}: {not_run.format(pack=pack)}")
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
        cannot = _("cannot make the folder {folder}: {error}")
        raise TutorFileError(cannot.format(folder=show_path(workspace), error=error.strerror or error)) from None
    write_atomic(path, starter_file(exercise).read_bytes())
    return path


def starter_file(exercise: Exercise, language: str | None = None) -> Path:
    """The starter in the tutor's language (``starter.zh.py``: its docstrings and TODOs in Chinese), else starter.py."""
    language = language or i18n.current()
    if language != i18n.ENGLISH:
        translated = exercise.starter.with_name(f"{exercise.starter.stem}.{language}.py")
        if translated.is_file():
            return translated
    return exercise.starter


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
    starter = starter_file(exercise).read_bytes()
    if not path.exists():
        start(exercise, workspace)
        return None
    try:
        old = path.read_bytes()
    except OSError as error:
        raise TutorFileError(
            _("cannot read {path}: {error}").format(path=show_path(path), error=error.strerror or error)
        ) from None
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
        no_file = _("{path}: no such file (run `tutor exercise {lesson}` to make it)")
        raise ExerciseError(no_file.format(path=show_path(path), lesson=path.stem))
    try:
        module = load_module(path, _learner_module_name(path))
    except SyntaxError as error:
        where = f"{path.name}:{error.lineno}" if error.lineno else path.name
        text = (error.text or "").strip()
        said = _("{where}: syntax error: {message}").format(where=where, message=error.msg)
        raise ExerciseError(said + (f"\n    {text}" if text else "")) from None
    except Exception as error:
        line = _deepest_line(error, path)
        message = str(error).splitlines()[0] if str(error) else ""
        said = f"{type(error).__name__}{': ' if message else ''}{message}"
        loading = _("{where}: {error} (while loading your file)")
        raise ExerciseError(loading.format(where=f"{path.name}:{line}", error=said)) from None
    return module


def _deepest_line(error: BaseException, path: Path) -> int:
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno or line
    return line


def signature_problem(name: str, found: bool, have: list[tuple[str, bool]] | None, reference: Any) -> str | None:
    """Why the learner's ``name`` cannot stand in for the reference's, or None.

    ``have``: its parameters and whether each has a default (None: they cannot be read).
    """
    if not found:
        return _("your file has no function `{name}` (keep the starter's `def {name}(...)`)").format(name=name)
    if reference is None or have is None:
        return None
    wanted = list(inspect.signature(getattr(reference, name)).parameters)
    names = [parameter for parameter, _default in have]
    extra_have_defaults = all(defaulted for _name, defaulted in have[len(wanted) :])
    if names[: len(wanted)] != wanted or not extra_have_defaults:
        other = _(
            "your `{have}` takes other parameters than the tutor passes: `{wanted}` (keep the starter's signature)"
        )
        return other.format(have=f"{name}({', '.join(names)})", wanted=f"{name}({', '.join(wanted)})")
    return None


def missing_functions(module: ModuleType, exercise: Exercise, reference: ModuleType | None = None) -> str | None:
    """Why the learner's module cannot stand in for the reference (a missing function, other parameters)."""
    for name in exercise.functions:
        function = getattr(module, name, None)
        have = None
        if callable(function):
            with contextlib.suppress(TypeError, ValueError):
                parameters = inspect.signature(function).parameters.values()
                have = [(p.name, p.default is not inspect.Parameter.empty) for p in parameters]
        why = signature_problem(name, callable(function), have, reference)
        if why:
            return why
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


def standalone_solution(exercise: Exercise) -> str:
    """The tutor's functions as a learner's file would hold them (see :func:`standalone_source`)."""
    return standalone_source(reference_module(exercise), exercise.functions)


def standalone_source(module: ModuleType, names: Sequence[str]) -> str:
    """``names`` of ``module`` written out with the helpers, constants and imports they use, and
    nothing imported from the tutor: what runs where the tutor's code cannot be seen."""
    imports: dict[str, str] = {}
    definitions: dict[str, str] = {}

    def include(name: str, value: Any) -> None:
        if name in definitions or name in imports:
            return
        if isinstance(value, ModuleType):
            alias = value.__name__.rpartition(".")[2]
            imports[name] = f"import {value.__name__}" + (f" as {name}" if name != alias else "")
        elif inspect.isfunction(value) and not value.__module__.startswith("tutor"):
            imports[name] = f"from {value.__module__} import {value.__name__}"
        elif inspect.isfunction(value):
            definitions[name] = ""  # before its own helpers: no endless recursion
            source = inspect.getsource(value)
            used = dict(inspect.getclosurevars(value).globals)
            home = vars(sys.modules[value.__module__])
            # Modules named only in annotations (np.ndarray) are imported too.
            used.update({n: m for n, m in home.items() if isinstance(m, ModuleType) and f"{n}." in source})
            for other, what in used.items():
                include(other, what)
            definitions.pop(name)
            definitions[name] = source.rstrip() + "\n"
        elif isinstance(value, int | float | str | tuple | frozenset):
            definitions[name] = f"{name} = {value!r}\n"

    for name in names:
        include(name, getattr(module, name))
    header = "\n".join(sorted(set(imports.values())))
    return (header + "\n\n\n" if header else "") + "\n\n".join(definitions.values())


def solution_source(exercise: Exercise, lesson: Any) -> str:
    """The tutor's own functions for the exercise, as written in the routine (one copy of the maths)."""
    module = sys.modules[lesson.load_routine().__module__]
    return "\n\n".join(inspect.getsource(getattr(module, name)).rstrip() + "\n" for name in exercise.functions)


# ---------------------------------------------------------------- running the checks


def run_checks(exercise: Exercise, path: Path, timeout: float | None = None) -> CheckReport:
    """Judge the learner's file: the checks run in a process of the tutor's, the file in a confined one.

    ``python -m tutor.exercises.worker`` (the judge) runs the checks, the reference and the
    comparisons; it loads the learner's file in a sandboxed process of its own and calls its
    functions there (:mod:`tutor.exercises.proxy`). Time and memory are limited, and the
    report comes from the judge's standard output, which the learner's code cannot reach.

    Never raises for anything in the learner's file: a syntax error, an exception, an endless
    loop or a crash is a report whose ``problem`` says what and where.
    """
    from tutor.exercises import judgement

    limit = float(timeout if timeout is not None else exercise.timeout)
    keras = exercise.backend == "keras"
    began = time.monotonic()
    request = judgement.Request(
        checks=str(Path(exercise.checks).resolve()),
        learner=str(Path(path).absolute()),
        workspace=str(Path(path).absolute().parent),
        functions=list(exercise.functions),
        routine=exercise.routine,
        code_dir=str(Path(exercise.code_dir).resolve()) if exercise.code_dir else None,
        timeout=limit,
        memory_mb=exercise.memory_mb,
        keras=keras,
    )
    overall = limit + 2 * STARTUP_GRACE + (judgement.KERAS_STARTUP_SECONDS if keras else 0.0)
    with tempfile.TemporaryDirectory(prefix="tutor-checks-") as scratch:
        # The judge imports this same tutor, wherever it was imported from (a checkout, a wheel).
        here = str(Path(__file__).resolve().parents[2])
        search = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p)
        environment = {
            **os.environ,
            "PYTHONPATH": search,
            i18n.LANG_ENV: i18n.current(),  # the judge's messages speak the learner's language
            "PYTHONDONTWRITEBYTECODE": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tutor.exercises.worker", msgspec.json.encode(request).decode("utf-8")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=scratch,
            env=environment,
            start_new_session=True,  # the whole group is killed if it overstays
        )
        killed = False
        try:
            answer, said = process.communicate(timeout=overall)
        except subprocess.TimeoutExpired:
            killed = True
            _kill_group(process)
            answer, said = process.communicate()
        except BaseException:  # Ctrl+C while checking: no judge (and so no learner process) stays behind
            _kill_group(process)
            process.wait()
            raise
    report = _read_answer(answer)
    report.seconds = time.monotonic() - began
    report.output = _printed(report.output, said)
    if killed:
        report.problem = _(
            "the checks did not finish within {seconds} s and were stopped "
            "(is there a loop that never ends, or a very large array?)"
        ).format(seconds=f"{limit:g}")
    elif report.problem is None and not report.results:
        reason = sandbox.exit_text(process.returncode, confined=False)
        tail = sandbox.plain_output(said or b"", 10_000).strip().splitlines()[-1:]
        report.problem = _("the checks crashed ({why})").format(why=reason + (f": {tail[0][:200]}" if tail else ""))
    return report


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _read_answer(answer: bytes | None) -> CheckReport:
    from tutor.exercises.judgement import Report

    try:
        data = msgspec.json.decode(answer or b"", type=Report)
    except msgspec.DecodeError:
        return CheckReport()
    return CheckReport(
        results=[CheckResult(result.title, result.ok, result.message) for result in data.results],
        problem=data.problem,
        output=data.output,
        notice=data.notice,
    )


def _printed(captured: str, raw: bytes | None) -> str:
    """What the learner's code printed, then what the judge said about it (warnings), plain and bounded."""
    text = captured + (raw.decode("utf-8", "replace") if raw else "")
    return sandbox.plain_output(text, MAX_OUTPUT)


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
    "standalone_solution",
    "start",
    "starter_file",
    "workspace_dir",
]
