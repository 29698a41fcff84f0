"""The ``tutor`` command: the app by default, plus list, run, check, serve, class and the exercise commands.

Every mistake on the command line ends with one clear line on stderr and a
non-zero exit code, never a traceback.

The whole command line is declared here, and nothing heavy is imported before it is
parsed: ``tutor --help`` imports this module and argparse, and each command imports
what it needs when it runs (the course, NumPy, Textual, TensorFlow).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tutor import __version__, i18n
from tutor.cli_parser import Parser
from tutor.command_line import EXIT_USAGE, UsageError, course_from, warn_problems
from tutor.i18n import _
from tutor.timeline import DEFAULT_SPEED, SPEEDS

# Run by tutor.exercises.commands, declared with the others in build_parser.
EXERCISE_COMMANDS = ("exercise", "verify", "watch", "hint", "solution", "reset")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tutor",
        description=_("Learn deep learning by watching networks learn. With no command, opens the interactive tutor."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"tutor {__version__}",
        help=_("show program's version number and exit"),
    )
    # A str, not a Path: Path("") is ".", and an empty value must not load the current folder.
    parser.add_argument(
        "--lessons",
        metavar="DIR",
        action="append",
        default=[],
        help=_("add the lesson pack in DIR (its own routines may run); repeatable"),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    commands.add_parser("list", help=_("list the lessons by chapter"))

    run = commands.add_parser("run", help=_("run one lesson (in the app, or --headless in this terminal)"))
    run.add_argument("lesson", help=_("lesson id, e.g. rosenblatt (see 'tutor list')"))
    run.add_argument("--headless", action="store_true", help=_("run in this terminal without the app"))
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=_("set a lesson parameter (repeatable)"),
    )
    run.add_argument("--seed", type=int, help=_("random seed (default: the lesson's)"))
    run.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help=_("write the run (params, metrics, result, timeline of frames) as JSON"),
    )
    run.add_argument(
        "--live",
        action="store_true",
        help=_("with --headless: animate the plots during the run, at a pace you can watch"),
    )
    run.add_argument(
        "--speed",
        choices=list(SPEEDS),
        default=DEFAULT_SPEED,
        help=_("with --live: how fast a quick run is played back (default: %(default)s)"),
    )
    run.add_argument(
        "--mine",
        action="store_true",
        help=_("with --headless: train with your own exercise functions (tutor exercise)"),
    )
    run.add_argument("--workspace", metavar="DIR", help=_("with --mine: the folder of your exercise files"))

    check = commands.add_parser("check", help=_("validate lesson files and report every problem"))
    check.add_argument("directory", nargs="?", type=Path, help=_("folder of lesson TOML files (default: the course)"))

    _add_exercise_parsers(commands)

    klass = commands.add_parser(
        "class", help=_("the teacher's table of a class: who passed which lesson, and when each was last active")
    )
    klass.add_argument("name", help=_("the class, as given to 'tutor serve --class NAME'"))
    doing = klass.add_mutually_exclusive_group()
    doing.add_argument("--csv", action="store_true", help=_("print CSV (for a spreadsheet) instead of a table"))
    doing.add_argument(
        "--add",
        nargs="+",
        metavar="LEARNER",
        help=_("put learners on the class's roster and print their personal links (only they sign in from now on)"),
    )
    doing.add_argument(
        "--reset", metavar="LEARNER", help=_("a new code and personal link for a learner (the old one stops working)")
    )
    doing.add_argument("--roster", action="store_true", help=_("list who may sign in to the class"))

    serve = commands.add_parser(
        "serve",
        help=_("serve the tutor to web browsers: one app per tab, for you or a class (textual-serve)"),
        description=_(
            "Serve the tutor to web browsers: each tab is its own app. Without --class it is your "
            "tutor (your progress); with --class NAME each learner has their own. Another --host than the "
            "loopback asks for a token: the link to hand out is printed when the server starts."
        ),
    )
    serve.add_argument(
        "--host",
        default="localhost",
        help=_("address to listen on; 0.0.0.0 opens it to the room's network (default: %(default)s)"),
    )
    serve.add_argument("--port", type=int, default=8000, help=_("port to listen on, 1-65535 (default: %(default)s)"))
    serve.add_argument(
        "--class",
        dest="class_name",
        metavar="NAME",
        help=_(
            "serve a class: each learner signs in with their name and code (or opens their personal link) "
            "and keeps their own progress, runs and exercises in <TUTOR_HOME>/classes/NAME/"
        ),
    )
    serve.add_argument(
        "--token",
        help=_(
            "the token the link carries (8-128 letters, digits, - or _); default: generated when --host "
            "is not the loopback"
        ),
    )
    serve.add_argument(
        "--max-sessions",
        type=int,
        metavar="N",
        help=_(
            "tabs served at once; one more gets a 'class is full' page (default: what this machine's "
            "memory holds with a Keras lesson in each)"
        ),
    )
    serve.add_argument(
        "--unconfined",
        action="store_true",
        help=_(
            "serve a class although learner code cannot be confined on this machine (it then runs as you, "
            "seeing your files): only for learners you trust"
        ),
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help=_(
            "the address learners open, when it is not the server's own (a proxy or tunnel), e.g. "
            "https://tutor.school.example"
        ),
    )
    # --lang before the command or after it: `tutor --lang zh list`, `tutor run rosenblatt --lang zh`.
    lang_help = _("the language to speak: {languages} (default: {variable}, then the locale)").format(
        languages=", ".join(i18n.LANGUAGES), variable=i18n.LANG_ENV
    )
    parser.add_argument("--lang", metavar="LANG", help=lang_help)
    for command in {id(sub): sub for sub in commands.choices.values()}.values():
        command.add_argument("--lang", metavar="LANG", default=argparse.SUPPRESS, help=lang_help)
    return parser


def _add_exercise_parsers(commands: Any) -> None:
    """exercise, verify, watch, hint, solution, reset: for learners who live in their own editor."""

    def workspace_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--workspace",
            metavar="DIR",
            help=_("the folder of your exercise files (default: $TUTOR_WORKSPACE, else ~/tutor-exercises)"),
        )

    exercise = commands.add_parser(
        "exercise", help=_("start a lesson's exercise: make your file from the starter, say what to write")
    )
    exercise.add_argument("lesson", help=_("lesson id, e.g. rosenblatt"))
    workspace_option(exercise)

    verify = commands.add_parser("verify", help=_("run the checks of your exercise files (exit 1 if any fails)"))
    verify.add_argument(
        "lesson_ids", nargs="*", metavar="lesson", help=_("lesson ids (default: every exercise started)")
    )  # not "lessons": that is tutor's own --lessons
    workspace_option(verify)

    watch = commands.add_parser("watch", help=_("re-run an exercise's checks every time you save (Ctrl+C stops)"))
    watch.add_argument("lesson", nargs="?", help=_("lesson id (default: every exercise started)"))
    workspace_option(watch)

    hint = commands.add_parser("hint", help=_("the next hint for an exercise (one more each time)"))
    hint.add_argument("lesson", help=_("lesson id"))
    workspace_option(hint)

    solution = commands.add_parser(
        "solution", help=_("the tutor's solution, once your checks pass (or with --give-up)")
    )
    solution.add_argument("lesson", help=_("lesson id"))
    solution.add_argument("--give-up", action="store_true", help=_("show it although your checks do not pass yet"))
    workspace_option(solution)

    reset = commands.add_parser("reset", help=_("put the starter back in your file (the old file is kept beside it)"))
    reset.add_argument("lesson", help=_("lesson id"))
    workspace_option(reset)


def _stop_like_ctrl_c(signum, frame) -> None:
    """SIGTERM and SIGHUP (a closed terminal, a scheduler) end a run as Ctrl+C does: recorded."""
    raise KeyboardInterrupt


def _prepare_streams() -> None:
    """Output that cannot encode a character (an ASCII locale) shows '?' instead of a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _discard_stdout() -> None:
    """What is still buffered for a closed pipe goes nowhere (Python would report it at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (a test's capture): nothing to flush
        pass


def console():
    """A console that always has room (COLUMNS=0 still gets 80 columns) and outlives a closed pipe."""
    from tutor.headless import HeadlessConsole

    width = HeadlessConsole().width
    return HeadlessConsole(width=80 if width < 20 else None)


def _choose_language(argv: Sequence[str]) -> None:
    """--lang, TUTOR_LANG, then the locale (tutor.i18n); an unknown language: one line, and English."""
    language, warning = i18n.resolve(i18n.lang_flag(argv))
    i18n.set_language(language)
    if language != i18n.ENGLISH:  # rich loaded only then: --help stays light
        from tutor.line_breaking import allow_cjk_line_breaks

        allow_cjk_line_breaks()
    if warning:
        print(_("tutor: warning: {message}").format(message=warning), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    _prepare_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    _choose_language(argv)
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _stop_like_ctrl_c)
    try:
        if args.command == "list":
            code = command_list(args)
        elif args.command == "run":
            code = command_run(args)
        elif args.command == "check":
            code = command_check(args)
        elif args.command in EXERCISE_COMMANDS:
            from tutor.exercises import commands as exercise_commands

            code = exercise_commands.dispatch(args)
        elif args.command == "serve":
            code = command_serve(args)
        elif args.command == "class":
            code = command_class(args)
        else:
            code = open_app(args)
        sys.stdout.flush()  # here, where a reader that went away is caught, not at the interpreter's exit
        return code
    except UsageError as error:
        print(_("tutor: error: {message}").format(message=error), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `tutor verify | head -3`: the reader has what it wanted
        _discard_stdout()
        return 0
    except OSError as error:  # a disk that filled up, a file that vanished: one line, not a traceback
        print(_("tutor: error: {message}").format(message=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def command_list(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from tutor.progress import ProgressStore

    course = course_from(args)
    warn_problems(course)
    store = ProgressStore()
    out = console()
    if store.warning:
        out.print(Text.assemble((_("warning: "), "yellow"), store.warning))
    table = Table(title=_("tutor lessons"), title_justify="left")
    table.add_column(_("id"), style="bold cyan", no_wrap=True)
    table.add_column(_("title"))
    table.add_column(_("backend"))
    table.add_column(_("passed"), justify="center")
    table.add_column(_("exercise"), justify="center")  # ✓ passed, · not yet, blank: the lesson has none
    left_out: list[tuple[str, str]] = []
    for number, lessons in course.by_chapter().items():
        table.add_section()
        # Lesson text is text: Text objects, never parsed as markup.
        table.add_row(
            Text(_("Chapter {number}").format(number=number), style="bold"),
            Text(course.chapter_title(number), style="bold"),
            "",
            "",
            "",
            end_section=True,
        )
        for lesson in lessons:
            table.add_row(
                Text(lesson.id),
                Text(lesson.title),
                Text(lesson.backend),
                "✓" if store.passed(lesson.id) else "·",
                _exercise_mark(lesson, store, left_out),
            )
    out.print(table)
    for lesson_id, reason in left_out:  # an exercise that cannot be used says why (an untrusted pack's)
        left = _("? the exercise of {lesson} is left out: {reason}").format(lesson=lesson_id, reason=reason)
        out.print(Text(left, style="yellow"))
    return 0


def _exercise_mark(lesson, store, left_out: list[tuple[str, str]]) -> str:
    """✓ once the learner's code passed the lesson's exercise, · not yet, '' when it has none, ? when it is
    left out (broken, or of a pack that may not run code): the reason goes to ``left_out``."""
    from tutor.exercises import ExerciseError, find_exercise

    try:
        exercise = find_exercise(lesson)
    except ExerciseError as error:
        left_out.append((lesson.id, str(error)))
        return "?"
    if exercise is None:
        return ""
    return "✓" if store.exercise_passed(lesson.id) else "·"


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    from tutor.course import shown

    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(_("--set takes NAME=VALUE, got {value}").format(value=shown(pair)))
        values[name.strip()] = value
    return values


def _resolve_run(args: argparse.Namespace):
    from tutor.course import SEED_MAX, ParamError

    course = course_from(args)
    warn_problems(course)
    try:
        lesson = course.get(args.lesson)
    except KeyError as error:
        raise UsageError(error.args[0]) from None
    try:
        values = lesson.resolve(_overrides(args.overrides))
    except ParamError as error:
        raise UsageError(str(error)) from None
    if args.seed is not None and not 0 <= args.seed <= SEED_MAX:
        raise UsageError(
            _("--seed must be a whole number from 0 to {most}, got {seed}").format(most=SEED_MAX, seed=args.seed)
        )
    return course, lesson, values


def command_run(args: argparse.Namespace) -> int:
    course, lesson, values = _resolve_run(args)
    if args.json is not None:
        from tutor.files import TutorFileError, check_writable_target

        try:
            check_writable_target(args.json)
        except TutorFileError as error:
            raise UsageError(str(error)) from None
    if args.mine and not args.headless:
        raise UsageError(_("--mine goes with --headless (in the app: the Exercise tab's Run with my code)"))
    if args.workspace is not None and not args.mine:
        raise UsageError(_("--workspace goes with --mine"))
    if args.headless:
        from tutor.exercises.commands import mine_code
        from tutor.headless import run_headless
        from tutor.runner import exit_leaving_busy_routines

        learner = mine_code(lesson, args.workspace) if args.mine else None
        code = run_headless(
            lesson,
            values,
            args.seed,
            json_path=args.json,
            live=args.live,
            speed=args.speed,
            console=console(),
            learner=learner,
        )
        exit_leaving_busy_routines(code)
        return code
    if args.json is not None:
        raise UsageError(_("--json goes with --headless"))
    if args.live:
        raise UsageError(_("--live goes with --headless (the app always plays runs back)"))
    return _run_app(course, args, lesson.id, autorun=True, overrides=_overrides(args.overrides), seed=args.seed)


def command_class(args: argparse.Namespace) -> int:
    from tutor import classroom
    from tutor.course import shown

    try:
        folder = classroom.class_dir(args.name)
    except classroom.BadName as error:
        raise UsageError(_("{problem}, got {name}").format(problem=error, name=shown(args.name))) from None
    if args.add or args.reset or args.roster:
        from tutor.roster import RosterError

        try:
            return classroom.roster_command(folder, add=args.add or [], reset=args.reset, listing=args.roster)
        except (classroom.BadName, RosterError) as error:
            raise UsageError(str(error)) from None
    if not folder.is_dir():
        known = ", ".join(classroom.class_names()) or _("none yet")
        missing = _("there is no class {name} in {folder} (classes: {known})")
        raise UsageError(missing.format(name=shown(args.name), folder=classroom.classes_dir(), known=known))
    course = course_from(args)
    header, rows = classroom.teacher_rows(folder, course.lessons)
    if args.csv:
        classroom.write_csv(sys.stdout, header, rows)
    elif rows:
        classroom.print_table(console(), folder.name, course.lessons, header, rows)
    else:
        print(_("No learner has joined class {name} yet.").format(name=folder.name))
    return 0


def command_check(args: argparse.Namespace) -> int:
    from tutor.course import load_course

    directory = args.directory
    if directory is not None and not directory.is_dir():
        raise UsageError(_("{folder} is not a folder").format(folder=repr(str(directory))))
    # The English files, then every translation of them (tutor.course.translation): its gaps are warnings.
    course = load_course(directory) if directory else course_from(args, language=i18n.ENGLISH)
    translation_problems, gaps = _check_translations(course)
    problems = [*course.problems, *translation_problems]
    for problem in problems:
        print(problem)
    for gap in gaps:
        print(_("warning: {gap}").format(gap=gap), file=sys.stderr)
    if gaps:
        untranslated = _("{count} text(s) not translated or changed in English since (shown in English)")
        print(untranslated.format(count=len(gaps)), file=sys.stderr)
    if problems:
        where = directory or _("the course")
        print(_("{count} problem(s) in {where}").format(count=len(problems), where=where), file=sys.stderr)
        return 1
    print(_("{count} lessons OK").format(count=len(course.lessons)))
    return 0


def _check_translations(course):
    from tutor.course.translation import check_translations
    from tutor.exercises import ExerciseError, find_exercise

    exercises = []
    for lesson in course.lessons:
        try:
            exercise = find_exercise(lesson)
        except ExerciseError:  # reported where the exercise is used; its translation is checked once it loads
            continue
        if exercise is not None:
            exercises.append((exercise.folder, exercise.intro, exercise.hints))
    return check_translations(course, exercises)


def open_app(args: argparse.Namespace) -> int:
    return _run_app(course_from(args), args)


def _run_app(course, args: argparse.Namespace, lesson_id: str | None = None, **options) -> int:
    warn_problems(course)
    from tutor.app import run_app

    # The palette's language switch loads the same lessons (and packs) in the other language.
    return run_app(lesson_id, course=course, course_loader=functools.partial(course_from, args), **options)


def _confine_the_class(unconfined: bool) -> None:
    """A class's learner code runs confined; without a sandbox the class is served only on purpose."""
    from tutor import sandbox

    if unconfined:
        os.environ[sandbox.UNCONFINED_ENV] = "1"  # every app process it starts inherits it
        return
    why = sandbox.why_unconfined()
    if why is not None:
        raise UsageError(
            _(
                "tutor serve --class: learner code cannot be confined here, {why}; "
                "fix that, or add --unconfined to let learners' code run as you"
            ).format(why=why)
        )
    os.environ.pop(sandbox.UNCONFINED_ENV, None)


def _lang_argv(args: argparse.Namespace) -> list[str]:
    """``--lang`` for each tab's app when the server was given one; else the tab chooses as the tutor does
    (TUTOR_LANG and the locale it inherits, the language the learner chose in the app)."""
    return [f"--lang={i18n.current()}"] if getattr(args, "lang", None) else []


def command_serve(args: argparse.Namespace) -> int:
    try:
        import textual_serve.server  # noqa: F401 (tutor.serve builds on it)
    except ImportError:
        raise UsageError(_("'tutor serve' needs textual-serve: pip install 'tutor[serve]'")) from None
    import socket

    if not 1 <= args.port <= 65535:
        raise UsageError(_("--port must be from 1 to 65535, got {port}").format(port=args.port))
    try:
        family, kind, _proto, _name, address = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        bad_host = _("--host {host} is not an address this machine can listen on ({error})")
        raise UsageError(bad_host.format(host=repr(args.host[:60]), error=error)) from None
    with socket.socket(family, kind) as probe:  # a clear line now, rather than a traceback from the server
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            reason = _("it is already in use") if error.errno in (98, 48) else error.strerror
            cannot = _("cannot listen on {host}:{port}: {reason}")
            raise UsageError(cannot.format(host=args.host, port=args.port, reason=reason)) from None
    from tutor import serve

    options = serve.ServeOptions(
        host=args.host,
        port=args.port,
        argv=[sys.executable, "-m", "tutor", *(f"--lessons={d}" for d in args.lessons), *_lang_argv(args)],
        max_sessions=serve.default_max_sessions() if args.max_sessions is None else args.max_sessions,
    )
    if not 1 <= options.max_sessions <= 10_000:
        raise UsageError(_("--max-sessions must be from 1 to 10000, got {count}").format(count=options.max_sessions))
    try:
        if args.token is not None:
            options.token = serve.check_token(args.token)
        if args.public_url is not None:
            options.public_url = serve.check_public_url(args.public_url)
        if args.class_name is not None:
            _confine_the_class(args.unconfined)
            options.class_name = args.class_name
            options.class_dir = serve.class_folder(args.class_name)
        return serve.serve(options)
    except serve.ServeError as error:
        raise UsageError(str(error)) from None
