"""The exercise commands: ``tutor exercise | verify | watch | hint | solution | reset``.

For learners who live in their own editor: their file is ``<workspace>/<lesson-id>.py``
and these commands check it, re-check it on every save, give hints one at a time and
show the tutor's solution once the checks pass. Output is plain text (``print``): a
lesson's or a learner's text is never read as markup.

Exit codes: 0 done (every check passes, for ``verify``), 1 a check fails or the solution
is refused, 2 bad input (an unknown lesson, a lesson without an exercise: a UsageError).

Their options are declared with the other commands' in :mod:`tutor.cli`, which imports
this module only to run one of them.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
import textwrap
from pathlib import Path
from typing import Any

from tutor.command_line import UsageError, course_from
from tutor.course import shown, split_routine
from tutor.exercises import (
    ExerciseError,
    find_exercise,
    learner_file,
    reset,
    routine_with,
    run_checks,
    solution_source,
    start,
    workspace_dir,
)
from tutor.i18n import _
from tutor.progress import ProgressStore

EXIT_FAILED = 1
WRAP = 88  # columns for the intro and hints


def dispatch(args: argparse.Namespace) -> int:
    return {
        "exercise": command_exercise,
        "verify": command_verify,
        "watch": command_watch,
        "hint": command_hint,
        "solution": command_solution,
        "reset": command_reset,
    }[args.command](args)


# ---------------------------------------------------------------- finding things


def _workspace(args: argparse.Namespace) -> Path:
    given = getattr(args, "workspace", None)
    if given is not None and not given.strip():
        raise UsageError(_("--workspace needs a folder, got an empty value"))
    folder = workspace_dir(given)
    if folder.exists() and not folder.is_dir():
        raise UsageError(_("the workspace {folder} is not a folder").format(folder=folder))
    return folder


def with_exercises(course: Any) -> list[tuple[Any, Any]]:
    """(lesson, exercise) for every lesson of the course that has an exercise, in course order."""
    found = []
    for lesson in course.lessons:
        try:
            exercise = find_exercise(lesson)
        except ExerciseError:
            continue  # reported when that lesson is asked for by name
        if exercise is not None:
            found.append((lesson, exercise))
    return found


def lesson_and_exercise(course: Any, lesson_id: str) -> tuple[Any, Any]:
    """The lesson and its exercise; a UsageError (exit 2) for an unknown lesson or one without an exercise."""
    try:
        lesson = course.get(lesson_id)
    except KeyError as error:
        raise UsageError(error.args[0]) from None
    try:
        exercise = find_exercise(lesson)
    except ExerciseError as error:
        raise UsageError(
            _("the exercise of {lesson} cannot be loaded: {error}").format(lesson=lesson.id, error=error)
        ) from None
    if exercise is None:
        having = ", ".join(found.id for found, _exercise in with_exercises(course)) or _("none")
        none = _("lesson {lesson} has no exercise (lessons with one: {having})")
        raise UsageError(none.format(lesson=shown(lesson_id), having=having))
    return lesson, exercise


# ---------------------------------------------------------------- printing


def _paragraph(text: str, indent: str = "  ") -> str:
    """``text`` wrapped to WRAP columns, each line indented. A line with wide (Chinese) characters is
    wrapped by rich, which counts such a character as two cells and may break between any two of
    them; textwrap counts characters and breaks only at spaces."""
    from rich.cells import cell_len

    wrapped = []
    for line in text.splitlines():
        if not line.strip():
            wrapped.append("")
        elif cell_len(line) == len(line):
            wrapped.append(textwrap.fill(line, WRAP, initial_indent=indent, subsequent_indent=indent))
        else:
            wrapped.append(_wrap_wide(line.strip(), indent))
    return "\n".join(wrapped)


def _wrap_wide(line: str, indent: str) -> str:
    from rich.console import Console
    from rich.text import Text

    parts = Text(line).wrap(Console(width=WRAP, no_color=True), max(10, WRAP - len(indent)))
    return "\n".join(indent + part.plain.rstrip() for part in parts)


def print_report(lesson_id: str, path: Path, report: Any) -> None:
    """A check report as plain lines: each check ✓ or ✗ with its message, then what the code printed."""
    total = len(report.results)
    passing = sum(result.ok for result in report.results)
    if report.problem and not report.results:
        summary = _("cannot be checked")
    elif report.passed:
        summary = _("all {total} checks pass").format(total=total)
    else:
        summary = _("{passing} of {total} checks pass").format(passing=passing, total=total)
    if report.notice:
        print(_("tutor: warning: {message}").format(message=report.notice), file=sys.stderr)
    seconds = _("{seconds} s").format(seconds=f"{report.seconds:.1f}")
    print(f"{lesson_id}  ({path}): {summary}  [{seconds}]")
    if report.problem:
        print(f"  ✗ {report.problem}".replace("\n", "\n    "))
    said = {report.problem}
    for result in report.results:
        if result.ok:
            print(f"  ✓ {result.title}")
        else:
            print(f"  ✗ {result.title}")
            if result.message and result.message not in said:  # five checks of an unwritten function: said once
                said.add(result.message)
                print(_paragraph(result.message, indent="      "))
    if report.output.strip():
        print(_("  your code printed:"))
        lines = report.output.rstrip().splitlines()
        for line in lines[:10]:
            print(f"    | {line}")
        if len(lines) > 10:
            print("    | " + _("... ({count} more lines)").format(count=len(lines) - 10))


def _check_and_record(lesson: Any, exercise: Any, path: Path, store: Any) -> Any:
    report = run_checks(exercise, path)
    if report.passed:
        store.mark_exercise_passed(lesson.id)
    return report


def _store() -> Any:
    store = ProgressStore()
    if store.warning:
        print(_("tutor: warning: {message}").format(message=store.warning), file=sys.stderr)
    return store


# ---------------------------------------------------------------- the commands


def command_exercise(args: argparse.Namespace) -> int:
    lesson, exercise = lesson_and_exercise(course_from(args), args.lesson)
    workspace = _workspace(args)
    existed = learner_file(exercise, workspace).exists()
    path = start(exercise, workspace)
    print(f"{lesson.id}: {lesson.title}")
    print(_("Your file: {path}").format(path=path) + ("" if existed else _("   (new: made from the starter)")))
    names = ", ".join(exercise.functions)
    print(_("Write: {names}").format(names=names))
    print(_paragraph(exercise.intro))
    print()
    print_report(lesson.id, path, _check_and_record(lesson, exercise, path, _store()))
    print()
    after = _(
        "Edit {file} in any editor, then: tutor verify {lesson}   (or tutor watch {lesson} to\n"
        "re-check on every save; tutor hint {lesson} for a hint; tutor run {lesson} --headless --mine\n"
        "to train the lesson with your own code)"
    )
    print(after.format(file=path.name, lesson=lesson.id))
    return 0


def _started(course: Any, workspace: Path) -> list[tuple[Any, Any]]:
    return [(lesson, ex) for lesson, ex in with_exercises(course) if learner_file(ex, workspace).exists()]


def command_verify(args: argparse.Namespace) -> int:
    course = course_from(args)
    workspace = _workspace(args)
    if args.lesson_ids:
        chosen = [lesson_and_exercise(course, lesson_id) for lesson_id in args.lesson_ids]
    else:
        chosen = _started(course, workspace)
        if not chosen:
            none = _("No exercise started in {folder} yet: tutor exercise ID starts one (for example rosenblatt).")
            print(none.format(folder=workspace))
            return 0
    store = _store()
    failed = 0
    for number, (lesson, exercise) in enumerate(chosen):
        if number:
            print()
        path = learner_file(exercise, workspace)
        if not path.exists():
            print(
                _("{lesson}: not started ({path} does not exist): tutor exercise {lesson} makes it").format(
                    lesson=lesson.id, path=path
                )
            )
            failed += 1
            continue
        report = _check_and_record(lesson, exercise, path, store)
        print_report(lesson.id, path, report)
        if report.passed:
            following = _(
                "  Next: tutor run {lesson} --headless --mine runs the lesson with your code;\n"
                "  tutor solution {lesson} shows the tutor's own."
            )
            print(following.format(lesson=lesson.id))
        failed += not report.passed
    if len(chosen) > 1:
        print()
        print(_("{passing} of {total} exercises pass").format(passing=len(chosen) - failed, total=len(chosen)))
    return EXIT_FAILED if failed else 0


def command_watch(args: argparse.Namespace) -> int:
    import watchfiles

    course = course_from(args)
    workspace = _workspace(args)
    if args.lesson:
        lesson, exercise = lesson_and_exercise(course, args.lesson)
        start(exercise, workspace)
        chosen = [(lesson, exercise)]
    else:
        chosen = _started(course, workspace)
        if not chosen:
            raise UsageError(
                _("no exercise started in {folder} yet: tutor watch ID (for example rosenblatt)").format(
                    folder=workspace
                )
            )
    by_file = {learner_file(exercise, workspace).name: (lesson, exercise) for lesson, exercise in chosen}
    store = _store()

    def check(lesson: Any, exercise: Any) -> None:
        path = learner_file(exercise, workspace)
        if not path.exists():
            print(
                _("{lesson}: {path} is gone (tutor reset {lesson} brings back the starter)").format(
                    lesson=lesson.id, path=path
                )
            )
            return
        print_report(lesson.id, path, _check_and_record(lesson, exercise, path, store))

    for lesson, exercise in chosen:
        check(lesson, exercise)

    def ours(change: Any, name: str) -> bool:
        return Path(name).name in by_file

    # An answer (changes, or none) every half second: the first one says the watch has begun, and
    # only then is "Watching" printed - a save after it is never missed.
    watching = watchfiles.watch(
        workspace, watch_filter=ours, debounce=300, recursive=False, rust_timeout=500, yield_on_timeout=True
    )
    announced = False
    try:
        for changes in watching:
            if not announced:
                message = _("Watching {files} in {folder} - save to re-check, Ctrl+C to stop.")
                print("\n" + message.format(files=", ".join(sorted(by_file)), folder=workspace), flush=True)
                announced = True
            for name in sorted({Path(changed).name for _change, changed in changes}):
                lesson, exercise = by_file[name]
                print(f"\n--- {_dt.datetime.now():%H:%M:%S} " + _("{file} changed").format(file=name))
                check(lesson, exercise)
            print(end="", flush=True)
    except KeyboardInterrupt:
        pass
    print(_("Stopped watching."))
    return 0


def command_hint(args: argparse.Namespace) -> int:
    lesson, exercise = lesson_and_exercise(course_from(args), args.lesson)
    store = _store()
    shown_before = store.hints_shown(lesson.id)
    total = len(exercise.hints)
    number = min(shown_before + 1, total)
    print(_("Hint {number} of {total} for {lesson}:").format(number=number, total=total, lesson=lesson.id))
    print(_paragraph(exercise.hints[number - 1]))
    if shown_before < total:
        store.set_hints_shown(lesson.id, number)
    if number == total:
        last = _(
            "(That was the last hint. tutor solution {lesson} shows the tutor's own code once your checks\n"
            "pass, or with --give-up.)"
        )
        print(last.format(lesson=lesson.id))
    return 0


def command_solution(args: argparse.Namespace) -> int:
    lesson, exercise = lesson_and_exercise(course_from(args), args.lesson)
    store = _store()
    path = learner_file(exercise, _workspace(args))
    allowed = args.give_up or store.exercise_passed(lesson.id)
    if not allowed and path.exists():
        report = _check_and_record(lesson, exercise, path, store)
        allowed = report.passed
        if not allowed:
            failing = sum(not result.ok for result in report.results)
            why = report.problem or _("{failing} of {total} checks fail").format(
                failing=failing, total=len(report.results)
            )
            closed = _(
                "tutor: the solution of {lesson} opens when your checks pass ({why}). "
                "Try tutor hint {lesson}, or tutor solution {lesson} --give-up to see it now."
            )
            print(closed.format(lesson=lesson.id, why=why.splitlines()[0]), file=sys.stderr)
            return EXIT_FAILED
    if not allowed:
        not_started = _(
            "tutor: the solution of {lesson} opens when your checks pass, and you have not started it "
            "(tutor exercise {lesson}). tutor solution {lesson} --give-up shows it now."
        )
        print(not_started.format(lesson=lesson.id), file=sys.stderr)
        return EXIT_FAILED
    heading = _("# The tutor's {functions} for {lesson} (from {module}):")
    print(
        heading.format(
            functions=", ".join(exercise.functions), lesson=lesson.id, module=split_routine(lesson.routine)[0]
        )
    )
    print()
    print(solution_source(exercise, lesson), end="")
    return 0


def command_reset(args: argparse.Namespace) -> int:
    lesson, exercise = lesson_and_exercise(course_from(args), args.lesson)
    workspace = _workspace(args)
    path = learner_file(exercise, workspace)
    existed = path.exists()
    kept = reset(exercise, workspace)
    print(_("{path}: the starter is back.").format(path=path))
    if kept is not None:
        print(_("Your previous file is kept as {path}").format(path=kept))
    elif existed:
        print(_("(It was the starter already: nothing to keep.)"))
    return 0


# ---------------------------------------------------------------- tutor run --mine


def mine_routine(lesson: Any, workspace_arg: str | None) -> Any:
    """For ``tutor run ID --mine``: the lesson's routine with the learner's functions.

    Warns in one line when the learner's checks do not pass (the run goes ahead: watching a
    wrong gradient walk uphill is part of learning); a UsageError when the file cannot be used.
    """
    try:
        exercise = find_exercise(lesson)
    except ExerciseError as error:
        raise UsageError(
            _("the exercise of {lesson} cannot be loaded: {error}").format(lesson=lesson.id, error=error)
        ) from None
    if exercise is None:
        raise UsageError(_("--mine: lesson {lesson} has no exercise to run with your code").format(lesson=lesson.id))
    path = learner_file(exercise, _workspace(argparse.Namespace(workspace=workspace_arg)))
    if not path.exists():
        raise UsageError(
            _("--mine: {path} does not exist yet (tutor exercise {lesson} makes it)").format(
                path=path, lesson=lesson.id
            )
        )
    report = run_checks(exercise, path)
    if report.problem and not report.results:  # it does not even load: loading it here could hang, or fail
        raise UsageError(f"--mine: {report.problem.splitlines()[0]}")
    if report.not_written:  # the run would only stop at the TODO
        first = _("--mine: {what}: write it first (tutor exercise {lesson})")
        raise UsageError(first.format(what=report.not_written.replace("`", ""), lesson=lesson.id))
    if not report.passed:
        failing = sum(not result.ok for result in report.results)
        fail = _("{failing} of {total} fail").format(failing=failing, total=len(report.results))
        why = (report.problem or "").splitlines()[0] if report.problem else fail
        anyway = _("tutor: warning: your {file} does not pass its checks ({why}); running with it anyway")
        print(anyway.format(file=path.name, why=why), file=sys.stderr)
    try:
        routine = routine_with(lesson, exercise, path)
    except ExerciseError as error:
        raise UsageError(f"--mine: {error}") from None
    running = _("Running {lesson} with your {functions} from {path}")
    print(running.format(lesson=lesson.id, functions=", ".join(exercise.functions), path=path))
    return routine
