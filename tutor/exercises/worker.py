"""The judge: runs one exercise's checks against a confined learner process.

``python -m tutor.exercises.worker REQUEST`` is started by :func:`tutor.exercises.run_checks`
(so that the checks' own memory, TensorFlow for the Keras exercises and a check that never
ends stay out of the app's process). It runs only the tutor's code: the checks, the reference
functions, the comparisons and the messages. The learner's file is loaded and called in a
process of its own, confined (:class:`tutor.exercises.proxy.LearnerProcess`): the checks call
its functions through ``mine`` and get plain values back, so nothing the learner's code does
can reach the expected values, the checker or the verdict. The report is written on this
process's standard output, which the learner's process cannot reach.

The time limit is the exercise's budget for all its checks; the learner's process times
each call with what is left (an endless loop is reported naming the function and its line).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import msgspec

from tutor import i18n, sandbox
from tutor.exercises import harness
from tutor.exercises.checking import (
    CHECK_TITLE,
    LearnerRaised,
    Mismatch,
    checks_of,
    raised_text,
    where_in_learner_file,
)
from tutor.exercises.judgement import KERAS_STARTUP_SECONDS, SCRATCH_MB, STARTUP_SECONDS, Report, Request, Result
from tutor.exercises.proxy import LearnerExited, LearnerProcess, LearnerStopped, LearnerTimedOut, Mine
from tutor.i18n import _
from tutor.modules import load_module


def _load_checks(path: Path) -> Any:
    return load_module(path, "tutor_exercise_checks")


def _too_slow(function: str, line: int, budget: float) -> str:
    if not function or function == "<module>":
        where = _(" (still running line {line} of your file)").format(line=line) if line else ""
        return _("the checks did not finish within {seconds} s{where}: is there a loop that never ends?").format(
            seconds=f"{budget:g}", where=where
        )
    if not line:
        stopped = _("`{function}` did not return within {seconds} s and was stopped: is there a loop that never ends?")
        return stopped.format(function=function, seconds=f"{budget:g}")
    return _(
        "`{function}` did not return within {seconds} s: it was still running line {line} of "
        "your file - is there a loop that never ends?"
    ).format(function=function, seconds=f"{budget:g}", line=line)


def _load_problem(failed: harness.Failed, path: Path, budget: float, memory_mb: int) -> str:
    """What the learner's file did while loading, said as the tutor always has."""
    name = path.name
    if failed.kind == "syntax":
        where = f"{name}:{failed.line}" if failed.line else name
        said = _("{where}: syntax error: {message}").format(where=where, message=failed.message)
        return said + (f"\n    {failed.text}" if failed.text else "")
    if failed.kind == "timeout":
        return _too_slow("<module>", failed.line, budget)
    if failed.kind == "exit":
        return _("{name}: your file calls exit() while loading (the checks call your functions)").format(name=name)
    if failed.kind == "memory":
        return _("your file ran out of memory while loading (the limit is {limit} MB)").format(limit=memory_mb)
    said = f"{failed.type_name}{': ' if failed.message else ''}{failed.message}"
    return _("{where}: {error} (while loading your file)").format(where=f"{name}:{failed.line}", error=said)


def _missing(loaded: harness.Loaded, functions: list[str], reference: Any) -> str | None:
    from tutor.exercises import signature_problem

    for name in functions:
        signature = loaded.functions.get(name)
        have = None
        if signature is not None and signature.found and signature.parameters is not None:
            have = list(zip(signature.parameters, signature.defaulted or [False] * len(signature.parameters)))
        why = signature_problem(name, signature is not None and signature.found, have, reference)
        if why:
            return why
    return None


def _read_source(path: Path, workspace: Path) -> str:
    """The learner's file as text; in a class, only a file of the learner's own workspace."""
    real = path.resolve()
    if sandbox.confinement_required() and workspace.resolve() not in real.parents:
        raise OSError(_("{name} leads outside your folder").format(name=path.name))
    return real.read_bytes().decode("utf-8", "replace")


def judge(request: Request) -> Report:
    """Run the checks; never raises for anything the learner's file does.

    The learner's process is started first: it imports NumPy (or TensorFlow) while this one
    imports the checks and the reference (and TensorFlow too).
    """
    report = Report()
    path, workspace = Path(request.learner), Path(request.workspace)
    budget = float(request.timeout)
    try:
        source = _read_source(path, workspace)
    except OSError as error:
        why = getattr(error, "strerror", None) or error
        report.problem = _("{name}: cannot be read ({why})").format(name=path.name, why=why)
        return report
    why = sandbox.why_unconfined()
    if why is not None and not sandbox.confinement_required():
        report.notice = _("your code ran without a sandbox: {why}").format(why=why)
    limits = sandbox.Limits(
        memory_mb=request.memory_mb,
        file_mb=8,
        scratch_mb=SCRATCH_MB,
        cpu_seconds=int(budget + KERAS_STARTUP_SECONDS + STARTUP_SECONDS),
    )
    learner = LearnerProcess(path, workspace, limits)
    try:
        with learner.started():
            learner.send(harness.Prepare(["keras"] if request.keras else []))
            prepared = _prepare_checks(request, report)
            if prepared is not None:
                _check(learner, request, report, source, *prepared)
    except sandbox.Unconfined as refused:
        not_run = _("your code was not run: {why} (in a class, learner code runs only in a sandbox)")
        report.problem = not_run.format(why=refused)
    report.output = learner.output(1500)  # the tutor shows 2000 characters: the note of what was dropped fits
    return report


def _prepare_checks(request: Request, report: Report) -> tuple[Any, list] | None:
    """(the reference module, the checks), or None with the problem said: the exercise's own files."""
    try:
        from tutor.exercises import Exercise, reference_module

        exercise = Exercise(
            lesson_id=Path(request.learner).stem,
            folder=Path(request.checks).parent,
            functions=tuple(request.functions),
            hints=(),
            timeout=float(request.timeout),
            intro="",
            starter=Path(),
            checks=Path(request.checks),
            routine=request.routine,
            code_dir=Path(request.code_dir) if request.code_dir else None,
        )
        reference = reference_module(exercise)
        checks = checks_of(vars(_load_checks(exercise.checks)))
        if request.keras:
            from tutor.keras_bridge import import_keras

            import_keras()  # while the learner's process imports it too
    except Exception as error:  # not the learner's: said in one line
        text = str(error).splitlines()[0] if str(error) else ""
        not_yours = _("the tutor could not prepare the checks ({error}) - not your code")
        report.problem = not_yours.format(error=f"{type(error).__name__}: {text}")
        return None
    return reference, checks


def _check(
    learner: LearnerProcess, request: Request, report: Report, source: str, reference: Any, checks: list
) -> None:
    import numpy as np

    path, budget = Path(request.learner), float(request.timeout)
    try:
        problem = learner.prepared(KERAS_STARTUP_SECONDS if request.keras else STARTUP_SECONDS)
        if problem:
            keras = _("the tutor could not prepare Keras for your code ({problem}) - not your code")
            report.problem = keras.format(problem=problem)
            return
        loaded = learner.load(source, request.functions, budget)
    except LearnerTimedOut:
        report.problem = _too_slow("<module>", 0, budget)
        return
    except LearnerStopped as stopped:
        report.problem = str(stopped)
        return
    if isinstance(loaded, harness.Failed):
        report.problem = _load_problem(loaded, path, budget, request.memory_mb)
        return
    why = _missing(loaded, request.functions, reference)
    if why:
        report.problem = f"{path.name}: {why}"
        return
    deadline = time.monotonic() + budget
    mine = Mine(learner, request.functions, deadline, budget)
    for function in checks:
        english = getattr(function, CHECK_TITLE)
        rng = np.random.default_rng(zlib.crc32(english.encode("utf-8")))  # the same inputs in every language
        title = _(english)
        if time.monotonic() >= deadline:
            report.problem = _("the checks did not finish within {seconds} s").format(seconds=f"{budget:g}")
            break
        try:
            function(mine, reference, rng)
            report.results.append(Result(title, True))
        except Mismatch as error:
            report.results.append(Result(title, False, str(error)))
        except LearnerTimedOut as late:
            report.problem = _too_slow(late.function, late.line, budget)
            report.results.append(Result(title, False, report.problem))
            break
        except LearnerStopped as stopped:
            report.problem = str(stopped)
            report.results.append(Result(title, False, report.problem))
            break
        except LearnerExited:
            report.results.append(Result(title, False, _("your function called exit(): return a value instead")))
        except Exception as error:  # a learner error outside the helpers, or a bug in the checks
            report.results.append(Result(title, False, _unexpected(error)))


def _unexpected(error: Exception) -> str:
    where = where_in_learner_file(error)
    if isinstance(error, LearnerRaised) and error.type_name == "RecursionError":
        function = error.function or _("your function")
        return _("`{function}` calls itself without end (RecursionError)").format(function=function)
    if where:
        raised = _("`{function}` raised {error} (your file, line {line})")
        return raised.format(function=where[0], error=raised_text(error), line=where[1])
    failed = _("the check itself failed ({error}) - a bug in the tutor's checks, not your code")
    return failed.format(error=raised_text(error))


def main(argv: list[str]) -> int:
    here = os.getcwd()  # a scratch folder: nothing the learner's process should be shown
    sys.path[:] = [entry for entry in sys.path if entry and entry != here]
    request = msgspec.json.decode(argv[1].encode("utf-8"), type=Request)
    i18n.set_language(i18n.resolve()[0])  # TUTOR_LANG, set by run_checks to the tutor's language
    sys.dont_write_bytecode = True
    report = judge(request)
    out = os.fdopen(os.dup(1), "wb")
    with contextlib.suppress(OSError):
        out.write(msgspec.json.encode(report))
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
