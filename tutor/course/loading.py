"""Loading lesson files and the course: every problem, never the first one only.

A file is read (bounded: a FIFO or /dev/zero is refused, not read), parsed as
TOML, checked against :mod:`tutor.course.schema` and the rules no type can say
(a routine that imports, a default inside its bounds, a safe challenge), and
only then turned into a :class:`Lesson`. :func:`load_course` keeps going past
a broken file, so ``tutor check`` lists every mistake in one go.
"""

from __future__ import annotations

import keyword
import math
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from tutor.course.conditions import condition_names
from tutor.course.lines import FileProblems, key_lines
from tutor.course.model import (
    RESERVED_PARAM_NAMES,
    STR_FORMATS,
    Challenge,
    Course,
    Lesson,
    LessonError,
    Page,
    Param,
    ParamError,
    Problem,
    StrFormat,
    shown,
)
from tutor.course.packs import ROUTINE_PACKAGE, Pack, is_tutor_routine, resolve_routine, split_routine
from tutor.course.schema import (
    ChallengeTable,
    ChapterNumber,
    ChaptersFile,
    LessonFile,
    PageTable,
    ParamTable,
    check_table,
    check_text,
    decode,
    value_problem,
)
from tutor.i18n import _
from tutor.views import VIEW_KINDS

# Lesson files are small text: anything bigger, or not a regular file (a FIFO,
# /dev/zero, a folder), is reported instead of read.
MAX_LESSON_BYTES = 1_000_000
# The type a parameter's default (and a preset's value) must already have: no "3" for an int.
_VALUE_TYPES: dict[str, Any] = {"int": int, "float": float, "bool": bool, "choice": str, "str": str}


def read_lesson_text(path: Path) -> str:
    """A lesson file's text, read only if it is a regular file of at most MAX_LESSON_BYTES.

    Raises LessonError: a FIFO named x.toml must not block ``tutor list``, nor a
    link to /dev/zero read forever.
    """

    def refuse(message: str) -> LessonError:
        return LessonError([Problem(str(path), 1, "", message)])

    try:
        info = os.stat(path)  # follows a symlink to what would be read
        if not stat.S_ISREG(info.st_mode):
            raise refuse(_("not a regular file (a folder, FIFO or device); skipped"))
        if info.st_size > MAX_LESSON_BYTES:
            raise refuse(
                _("is {size:,} bytes; a lesson file has at most {maximum:,}").format(
                    size=info.st_size, maximum=MAX_LESSON_BYTES
                )
            )
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening does not wait.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise refuse(_("not a regular file (a folder, FIFO or device); skipped"))
            with os.fdopen(handle, "rb", closefd=False) as file:
                raw = file.read(MAX_LESSON_BYTES + 1)
        finally:
            os.close(handle)
    except OSError as error:
        # The reason is the system's own words (English), as it gives them.
        raise refuse(_("cannot read the file ({reason})").format(reason=error.strerror or error)) from None
    if len(raw) > MAX_LESSON_BYTES:
        raise refuse(_("is larger than {maximum:,} bytes").format(maximum=MAX_LESSON_BYTES))
    try:
        return raw.decode("utf-8-sig")  # an editor's byte-order mark is fine
    except UnicodeDecodeError as error:
        raise refuse(_("cannot read the file (not UTF-8 text: byte {byte})").format(byte=error.start)) from None


def parse_lesson_toml(path: Path, text: str) -> dict[str, Any]:
    """TOML to a table, every failure (bad syntax, 100,000 nested brackets) as a LessonError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) if match else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        # tomllib's own words (English) follow: they name the TOML that is wrong.
        raise LessonError(
            [Problem(str(path), line, "", _("invalid TOML: {message}").format(message=message))]
        ) from None
    except (RecursionError, MemoryError):
        raise LessonError([Problem(str(path), 1, "", _("invalid TOML: nested too deeply"))]) from None
    except ValueError as error:  # e.g. an integer too long to convert
        problem = _("invalid TOML: {message}").format(message=str(error)[:100])
        raise LessonError([Problem(str(path), 1, "", problem)]) from None
    return data


# ---------------------------------------------------------------- one lesson


def load_lesson(path: Path, code_dir: Path | None = None) -> Lesson:
    """Load one lesson file; raise LessonError listing every problem in it.

    ``code_dir`` is given for packs the learner passed explicitly: only then
    may a routine come from outside the ``tutor`` package (from that folder).
    """
    path = Path(path)
    text = read_lesson_text(path)
    data = parse_lesson_toml(path, text)

    problems = FileProblems(path, text)
    check_text(problems, data)
    if problems.problems:  # nothing more is read from a file that holds control characters
        raise LessonError(problems.problems)
    top = check_table(problems, data, LessonFile)
    if "routine" in top:
        _check_routine(problems, top["routine"], code_dir)
    for view in top.get("views", ()):
        if view not in VIEW_KINDS:
            problems.add(
                "views", _("unknown view {view} (known: {known})").format(view=shown(view), known=", ".join(VIEW_KINDS))
            )
    params = _load_params(problems, top.get("params", {}))
    presets = _load_presets(problems, top.get("presets", {}), params)
    declared_views = [view for view in top.get("views", ()) if isinstance(view, str)]
    _check_stage_view(problems, "stage", top.get("stage", ""), declared_views)
    for index, page in enumerate(top.get("pages", ())):
        if isinstance(page, dict):
            check_table(problems, page, PageTable, f"pages.{index}")
            _check_stage_view(problems, f"pages.{index}.view", page.get("view", ""), declared_views)
        else:
            problems.add("pages", _("each page is a [[pages]] table with title and text"))
    if "challenge" in top:
        _check_challenge(problems, top["challenge"])

    declared = None if problems.problems else decode(problems, data, LessonFile)
    if declared is None:
        raise LessonError(problems.problems)
    return Lesson(
        id=declared.id,
        title=declared.title,
        chapter=declared.chapter,
        order=declared.order,
        backend=declared.backend,
        routine=declared.routine,
        views=tuple(declared.views),
        params=params,
        pages=tuple(
            Page(page.title, page.text, page.view or declared.stage or declared.views[0]) for page in declared.pages
        ),
        challenge=Challenge(declared.challenge.goal, declared.challenge.condition),
        summary=declared.summary,
        seed=declared.seed,
        presets=presets,
        path=path,
        code_dir=code_dir,
    )


def _check_stage_view(problems: FileProblems, where: str, view: Any, views: list[str]) -> None:
    """A page (or the lesson's ``stage``) names the view it is about: one the lesson declares."""
    if isinstance(view, str) and view and view not in views:
        problems.add(
            where,
            _("{view} is not one of the lesson's views ({views})").format(view=shown(view), views=", ".join(views)),
        )


def _check_routine(problems: FileProblems, routine: str, code_dir: Path | None) -> None:
    module_name, _function = split_routine(routine)
    if code_dir is None and not is_tutor_routine(routine):
        problems.add(
            "routine",
            _(
                "must name a function inside the {package} package, not {routine}"
                " (routines from a lesson folder run only when it is passed with --lessons or TUTOR_LESSONS)"
            ).format(package=repr(ROUTINE_PACKAGE), routine=repr(routine)),
        )
        return
    try:
        resolve_routine(routine, code_dir)
    except ImportError as error:
        # Python's own words for the failure (English) follow in brackets.
        problems.add("routine", _("cannot import {module} ({error})").format(module=repr(module_name), error=error))
    except (AttributeError, TypeError, ValueError):
        problems.add("routine", _("{routine} does not name a function").format(routine=repr(routine)))
    except Exception as error:  # the pack's module itself is broken
        problems.add(
            "routine",
            _("importing {module} failed: {error}").format(
                module=repr(module_name), error=f"{type(error).__name__}: {error}"
            ),
        )


def _load_params(problems: FileProblems, raw: Mapping[str, Any]) -> dict[str, Param]:
    """The parameters whose declaration is sound, with their defaults checked."""
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        where = f"params.{name}"
        if not isinstance(spec, dict):
            problems.add(where, _("must be a table ([params.NAME])"))
            continue
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            problems.add(where, _("a parameter name is a word of letters, digits and _ (routines read params.NAME)"))
            continue
        if name in RESERVED_PARAM_NAMES:
            problems.add(
                where,
                _("{quoted} is reserved (routines read params.{name} for something else); choose another name").format(
                    quoted=repr(name), name=name
                ),
            )
            continue
        good = check_table(problems, spec, ParamTable, where)
        for bound in ("min", "max"):
            if bound in good and not _finite(good[bound]):
                problems.add(
                    f"{where}.{bound}", _("must be a finite number, not {value}").format(value=shown(good.pop(bound)))
                )
        if "type" not in good or "default" not in good:
            continue
        kind = good["type"]
        text_format = good.get("format", "")
        if "format" in good and (kind != "str" or text_format not in STR_FORMATS):
            problems.add(
                f"{where}.format",
                _("applies to str parameters and is one of {formats}").format(formats=", ".join(STR_FORMATS)),
            )
            text_format = ""
        choices = tuple(good.get("choices", ()))
        if kind == "choice" and not choices:
            if "choices" in good or "choices" not in spec:  # (choices of the wrong type are reported already)
                problems.add(f"{where}.choices", _("a choice parameter needs a list of choices"))
            continue
        if kind != "choice" and "choices" in good:
            problems.add(
                f"{where}.choices", _("only choice parameters have choices, this one is {kind}").format(kind=kind)
            )
        if kind not in ("int", "float") and ("min" in good or "max" in good):
            problems.add(where, _("min and max apply to numbers, this parameter is {kind}").format(kind=kind))
        low, high = good.get("min"), good.get("max")
        if low is not None and high is not None and low > high:
            problems.add(f"{where}.min", _("min {low} is above max {high}").format(low=low, high=high))
        param = Param(
            name,
            kind,
            None,
            good.get("help", ""),
            good.get("label", ""),
            low,
            high,
            choices,
            cast(StrFormat, text_format),
        )
        try:
            default = _strict_value(param, good["default"])
        except ParamError as error:
            problems.add(f"{where}.default", _without_name(error, name))
            continue
        params[name] = Param(name, kind, default, param.help, param.label, low, high, choices, param.format)
    return params


def _without_name(error: ParamError, name: str) -> str:
    """A parameter's problem without the ``name:`` it starts with (the line's field names it already)."""
    message = str(error)
    for prefix in (f"{name}: ", f"{name}："):  # the Chinese catalogue writes a fullwidth colon
        if message.startswith(prefix):
            return message.removeprefix(prefix)
    return message


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # a whole number too large for a float
        return False


def _strict_value(param: Param, value: Any) -> Any:
    """A default or a preset's value: TOML already gives it the declared type (no "3" for an int)."""
    problem = value_problem(value, _VALUE_TYPES[param.type])
    if problem is not None:
        raise ParamError(f"{param.name}: {problem}")
    return param.coerce(value)


def _load_presets(
    problems: FileProblems, raw: Mapping[str, Any], params: Mapping[str, Param]
) -> dict[str, dict[str, Any]]:
    presets: dict[str, dict[str, Any]] = {}
    if raw and "preset" not in params:
        problems.add("presets", _("presets need a choice parameter named 'preset'"))
    for name, values in raw.items():
        where = f"presets.{name}"
        if not isinstance(values, dict):
            problems.add(where, _("must be a table of parameter values"))
            continue
        if "preset" in params and name not in params["preset"].choices:
            problems.add(where, _("{name} is not one of the preset parameter's choices").format(name=repr(name)))
        chosen: dict[str, Any] = {}
        for key, value in values.items():
            if key not in params or key == "preset":
                problems.add(f"{where}.{key}", _("not a parameter of this lesson"))
                continue
            try:
                chosen[key] = _strict_value(params[key], value)
            except ParamError as error:
                problems.add(f"{where}.{key}", _without_name(error, key))
        presets[name] = chosen
    return presets


def _check_challenge(problems: FileProblems, raw: Mapping[str, Any]) -> None:
    good = check_table(problems, raw, ChallengeTable, "challenge")
    if "condition" in good:
        try:
            condition_names(good["condition"])
        except ValueError as error:
            problems.add("challenge.condition", str(error))


# ---------------------------------------------------------------- the course


def shipped_lessons_dir() -> Path:
    """The lessons that come with the tutor.

    A wheel holds them in this package's ``lessons/`` folder (pyproject.toml's
    force-include); a checkout has them in ``lessons/`` beside ``tutor/``.
    """
    package = Path(__file__).parent
    inside = package / "lessons"
    return inside if inside.is_dir() else package.parent.parent / "lessons"


def load_course(directory: Path | None = None, packs: Iterable[Pack] = (), language: str = "en") -> Course:
    """Every lesson file of the course (or ``directory``) and of the packs,
    sorted by (chapter, order), with their text in ``language`` where it is translated.

    Broken files do not stop the others from loading: their problems are kept
    in ``Course.problems``. A duplicate id, or a second lesson at the same place
    (chapter and order: both would be numbered, say, 1.1), is a problem of the
    later file, which is skipped.
    """
    folders = [Pack(Path(directory) if directory else shipped_lessons_dir(), trusted=directory is not None)]
    folders += list(packs)
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    chapters: dict[int, str] = {}
    code_dirs: list[Path] = []
    seen: dict[str, Path] = {}
    places: dict[tuple[int, int], Lesson] = {}
    for pack in folders:
        if pack.given is not None and not pack.given.strip():
            problems.append(
                Problem(
                    "--lessons",
                    1,
                    "",
                    _("an empty folder name; the current folder is loaded only when named (--lessons .)"),
                )
            )
            continue
        if not pack.path.is_dir():
            found = os.path.lexists(pack.path)
            problems.append(
                Problem(
                    str(pack.path),
                    1,
                    "",
                    _("is not a folder (give the folder that holds the lesson files)")
                    if found
                    else _("lesson folder not found"),
                )
            )
            continue
        chapters_file = pack.path / "chapters.toml"
        if os.path.lexists(chapters_file):  # a FIFO or a dangling link is reported, not skipped
            more, chapter_problems = _load_chapters(chapters_file)
            chapters = {**more, **chapters}  # the course's own titles win
            problems += chapter_problems
        code_dir = pack.path if pack.trusted else None
        for path in sorted(pack.path.glob("*.toml")):
            if path.name == "chapters.toml":
                continue
            try:
                lesson = load_lesson(path, code_dir)
            except LessonError as error:
                problems += error.problems
                continue
            if lesson.id in seen:
                line = key_lines(read_lesson_text(path)).get("id", 1)
                used = _("{id} is already used by {path}").format(id=repr(lesson.id), path=seen[lesson.id])
                problems.append(Problem(str(path), line, "id", used))
                continue
            taken = places.get((lesson.chapter, lesson.order))
            if taken is not None:
                line = key_lines(read_lesson_text(path)).get("order", 1)
                problems.append(Problem(str(path), line, "order", _place_taken(lesson, taken)))
                continue
            seen[lesson.id] = path
            places[lesson.chapter, lesson.order] = lesson
            lessons.append(lesson)
            if code_dir is not None and not is_tutor_routine(lesson.routine) and code_dir not in code_dirs:
                code_dirs.append(code_dir)
    lessons.sort(key=lambda lesson: (lesson.chapter, lesson.order, lesson.id))
    if language != "en":  # lessons/<language>/: text only (tutor.course.translation)
        from tutor.course.translation import read_chapter_titles, translate_lessons

        lessons, text_problems = translate_lessons(lessons, language)
        problems += text_problems
        titles: dict[int, str] = {}
        for pack in folders:
            if pack.path.is_dir() and (pack.given is None or pack.given.strip()):
                more_titles, title_problems = read_chapter_titles(pack.path, language)
                titles = {**more_titles, **titles}  # the course's own titles win, as in English
                problems += title_problems
        chapters = {**chapters, **titles}
    return Course(tuple(lessons), chapters, tuple(problems), tuple(code_dirs), language)


def _place_taken(lesson: Lesson, taken: Lesson) -> str:
    return _(
        "{chapter}.{order} is already lesson {id} ({path}); give this one another order in chapter {chapter}"
    ).format(chapter=lesson.chapter, order=lesson.order, id=repr(taken.id), path=taken.path)


def _load_chapters(path: Path) -> tuple[dict[int, str], list[Problem]]:
    try:
        text = read_lesson_text(path)
        data = parse_lesson_toml(path, text)
    except LessonError as error:
        return {}, error.problems
    problems = FileProblems(path, text)
    check_text(problems, data)
    if problems.problems:
        return {}, problems.problems
    top = check_table(problems, data, ChaptersFile)
    chapters: dict[int, str] = {}  # the good lines are kept beside the problems of the others
    for key, title in top.get("chapters", {}).items():
        if value_problem(key, ChapterNumber) is not None or value_problem(title, str) is not None:
            problems.add(f"chapters.{key}", _('chapters are written as 1 = "Title"'))
            continue
        chapters[int(key)] = title
    return chapters, problems.problems
