"""Lesson text in other languages: a translation holds text only, never structure.

Beside the English lesson files, for each language of :data:`tutor.i18n.LANGUAGES`:

- ``<folder>/<lang>/<lesson-id>.toml``: ``title``, ``summary``, ``[challenge] goal``,
  ``[params.NAME] label`` and ``help``, and ``[[pages]]`` with ``title``, ``text`` and
  ``source`` (the fingerprint of the English page it was translated from) - the same
  number of pages, in the same order, as the English file (or none yet);
- ``<folder>/<lang>/chapters.toml``: ``[chapters]`` titles, as in ``chapters.toml``;
- ``<folder>/exercises/<lesson-id>/exercise.<lang>.toml``: ``intro`` and ``hints`` (as
  many hints as the English).

Any key of the English file that is not text (``id``, ``routine``, ``views``, a page's
``view``, a parameter's ``type``/``default``/``min``/``max``/``choices``, the challenge's
``condition``, ``[presets]``...) is refused: a translation cannot change what a lesson
does. A file with a problem is not used (the lesson stays English) and the problem is a
``file:line: field: problem`` of the course. A text left out is shown in English, that text
only; :func:`check_translations` lists those gaps, and the pages whose English changed
since they were translated, for ``tutor check``.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from tutor.course.lines import FileProblems, key_lines
from tutor.course.model import Course, Lesson, LessonError, Problem, shown
from tutor.course.schema import (
    ChallengeTable,
    LessonFile,
    PageTable,
    ParamTable,
    Table,
    check_table,
    check_text,
    decode,
)
from tutor.i18n import ENGLISH, LANGUAGES

# A text given in a translation says something; left out, the English is shown.
Text = Annotated[str, Meta(pattern=r"\S", description="is empty (leave the key out and the English text is shown)")]
# The English page a page was translated from: python -m tutor.course.translation stamp FILE writes it.
Fingerprint = Annotated[
    str, Meta(pattern=r"^[0-9a-f]{8}$", description="is the English page's fingerprint: 8 hexadecimal digits")
]
FINGERPRINT_CHARS = 8
EXERCISE_STRUCTURE = ("functions", "timeout", "memory_mb")  # exercise.toml's keys that are not text
GLOSSARY_FILE = "glossary.toml"  # <lang>/glossary.toml: the course's terms (tests/test_translation_text.py)


class PageText(Table):
    title: Text = ""
    text: Text = ""
    source: Fingerprint = ""


class ChallengeText(Table):
    goal: Text = ""


class ParamText(Table):
    label: Text = ""
    help: Text = ""


class LessonText(Table):
    """``<lang>/<lesson-id>.toml``: the text fields of a lesson file, all optional."""

    title: Text = ""
    summary: Text = ""
    challenge: ChallengeText = msgspec.field(default_factory=ChallengeText)
    params: dict[str, ParamText] = {}
    pages: list[PageText] = []


class ExerciseText(Table):
    """``exercise.<lang>.toml``: an exercise's intro and hints."""

    intro: Text = ""
    hints: list[Text] = []


def _keys(table: type[Table]) -> list[str]:
    return [field.encode_name for field in msgspec.structs.fields(table)]


# Each table of a translation, and the English table whose other keys are structure.
_ENGLISH_TABLE: dict[type[Table], type[Table]] = {
    LessonText: LessonFile,
    PageText: PageTable,
    ParamText: ParamTable,
    ChallengeText: ChallengeTable,
}


def fingerprint(title: str, text: str) -> str:
    """A short hash of an English page: changes when its words do, not when it is re-wrapped."""
    import hashlib  # only checks and stamps need it

    words = " ".join(f"{title}\n{text}".split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:FINGERPRINT_CHARS]


def translation_file(lesson: Lesson, language: str) -> Path | None:
    """Where ``lesson``'s text in ``language`` is: ``<its folder>/<language>/<id>.toml``."""
    return None if lesson.path is None else lesson.path.parent / language / f"{lesson.id}.toml"


def exercise_text_file(folder: Path, language: str) -> Path:
    return Path(folder) / f"exercise.{language}.toml"


def starter_text_file(folder: Path, language: str) -> Path:
    """``starter.zh.py``: the starter with its docstrings, comments and messages translated (the code as it is)."""
    return Path(folder) / f"starter.{language}.py"


# ---------------------------------------------------------------- reading a translation


def _read(path: Path) -> tuple[dict[str, Any], FileProblems]:
    """The TOML of a translation and its problem list, with control characters already refused."""
    from tutor.course.loading import parse_lesson_toml, read_lesson_text

    text = read_lesson_text(path)
    data = parse_lesson_toml(path, text)
    problems = FileProblems(path, text)
    check_text(problems, data)
    return data, problems


def _text_only(problems: FileProblems, data: Mapping[str, Any], table: type[Table], where: str, english: str) -> dict:
    """``data`` without the keys that are the English table's structure, each of them a problem."""
    structure = set(_keys(_ENGLISH_TABLE[table])) - set(_keys(table))
    prefix = f"{where}." if where else ""
    for key in data:
        if key in structure:
            # A table given only as [presets.fast] has a line for presets.fast, none for presets.
            path = prefix + key
            lines = [line for name, line in problems.lines.items() if name == path or name.startswith(path + ".")]
            problems.add(
                path,
                f"is part of the lesson's structure, not its text; it stays as {english} says "
                f"(a translation holds {', '.join(key for key in _keys(table) if key != 'source')})",
                line=min(lines, default=None),
            )
    return {key: value for key, value in data.items() if key not in structure}


def read_lesson_text_file(path: Path, lesson: Lesson) -> LessonText:
    """The translation of ``lesson`` in ``path``, checked against it; raises LessonError listing every problem."""
    data, problems = _read(path)
    if problems.problems:
        raise LessonError(problems.problems)
    english = lesson.path.name if lesson.path else f"{lesson.id}.toml"
    top = check_table(problems, _text_only(problems, data, LessonText, "", english), LessonText)
    for name, spec in (top.get("params") or {}).items():
        where = f"params.{name}"
        if name not in lesson.params:
            known = ", ".join(lesson.params) or "none"
            problems.add(where, f"{lesson.id} has no parameter {shown(name)} (its parameters: {known})")
        elif isinstance(spec, dict):
            check_table(problems, _text_only(problems, spec, ParamText, where, english), ParamText, where)
        else:
            problems.add(where, "must be a table ([params.NAME] with label and help)")
    pages = top.get("pages") or []
    if pages and len(pages) != len(lesson.pages):
        problems.add(
            "pages",
            f"has {len(pages)} pages, {english} has {len(lesson.pages)}: a translation keeps the English pages, "
            "in their order (an empty [[pages]] keeps a page in English)",
        )
    for index, page in enumerate(pages):
        where = f"pages.{index}"
        if isinstance(page, dict):
            check_table(problems, _text_only(problems, page, PageText, where, english), PageText, where)
        else:
            problems.add("pages", "each page is a [[pages]] table with title and text")
    if isinstance(top.get("challenge"), dict):
        challenge = _text_only(problems, top["challenge"], ChallengeText, "challenge", english)
        check_table(problems, challenge, ChallengeText, "challenge")
    declared = None if problems.problems else decode(problems, data, LessonText)
    if declared is None:
        raise LessonError(problems.problems)
    return declared


def translated(lesson: Lesson, text: LessonText, language: str) -> Lesson:
    """``lesson`` with the texts ``text`` gives in place of the English ones (same structure)."""
    pages = tuple(
        dataclasses.replace(page, title=given.title or page.title, text=given.text or page.text)
        for page, given in zip(lesson.pages, text.pages or [PageText()] * len(lesson.pages))
    )
    params = dict(lesson.params)
    for name, given in text.params.items():
        param = params[name]
        params[name] = dataclasses.replace(param, label=given.label or param.label, help=given.help or param.help)
    return dataclasses.replace(
        lesson,
        title=text.title or lesson.title,
        summary=text.summary or lesson.summary,
        challenge=dataclasses.replace(lesson.challenge, goal=text.challenge.goal or lesson.challenge.goal),
        params=params,
        pages=pages,
        language=language,
    )


def missing_texts(lesson: Lesson, text: LessonText | None) -> list[str]:
    """The fields with English text that ``text`` does not translate (all of them without a file)."""
    text = text or LessonText()
    pages = text.pages or [PageText()] * len(lesson.pages)
    wanted: list[tuple[str, str, str]] = [
        ("title", lesson.title, text.title),
        ("summary", lesson.summary, text.summary),
        ("challenge.goal", lesson.challenge.goal, text.challenge.goal),
    ]
    for name, param in lesson.params.items():
        words = text.params.get(name, ParamText())
        wanted += [(f"params.{name}.label", param.label, words.label), (f"params.{name}.help", param.help, words.help)]
    for index, (page, given) in enumerate(zip(lesson.pages, pages)):
        wanted += [(f"pages.{index}.title", page.title, given.title), (f"pages.{index}.text", page.text, given.text)]
    return [field for field, english, translation in wanted if english.strip() and not translation]


def changed_pages(lesson: Lesson, text: LessonText) -> list[tuple[int, str, str]]:
    """(page index, fingerprint translated from, the English page's now) for each page whose English moved on.

    A page without a fingerprint is listed with ``""`` as the one it was translated from.
    """
    changed = []
    for index, (page, given) in enumerate(zip(lesson.pages, text.pages)):
        if not (given.title or given.text):
            continue
        now = fingerprint(page.title, page.text)
        if given.source != now:
            changed.append((index, given.source, now))
    return changed


def translate_lessons(lessons: Iterable[Lesson], language: str) -> tuple[list[Lesson], list[Problem]]:
    """Each lesson in ``language`` where it has a sound translation, else in English; and the problems."""
    result: list[Lesson] = []
    problems: list[Problem] = []
    for lesson in lessons:
        path = translation_file(lesson, language)
        if path is None or not path.exists():
            result.append(lesson)
            continue
        try:
            result.append(translated(lesson, read_lesson_text_file(path, lesson), language))
        except LessonError as error:
            problems += error.problems
            result.append(lesson)
    return result, problems


def read_chapter_titles(folder: Path, language: str) -> tuple[dict[int, str], list[Problem]]:
    """``<folder>/<language>/chapters.toml``'s titles (none when there is no such file)."""
    from tutor.course.loading import _load_chapters

    path = folder / language / "chapters.toml"
    if not path.exists():
        return {}, []
    return _load_chapters(path)


# ---------------------------------------------------------------- exercises


def read_exercise_text(path: Path, hints: int) -> ExerciseText:
    """``exercise.<lang>.toml`` for an exercise of ``hints`` hints; raises LessonError listing every problem."""
    data, problems = _read(path)
    if problems.problems:
        raise LessonError(problems.problems)
    for key in data:
        if key in EXERCISE_STRUCTURE:
            problems.add(key, "is part of the exercise's structure, not its text; it stays as exercise.toml says")
    text_only = {key: value for key, value in data.items() if key not in EXERCISE_STRUCTURE}
    good = check_table(problems, text_only, ExerciseText)
    given = good.get("hints") or []
    if given and len(given) != hints:
        problems.add(
            "hints", f"has {len(given)} hints, exercise.toml has {hints}: one translation for each hint, in order"
        )
    declared = None if problems.problems else decode(problems, text_only, ExerciseText)
    if declared is None:
        raise LessonError(problems.problems)
    return declared


def exercise_texts(folder: Path, language: str, intro: str, hints: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """An exercise's intro and hints in ``language``, each one in English where it is not translated.

    A translation with a problem is not used (``tutor check`` reports it).
    """
    path = exercise_text_file(folder, language)
    if language == ENGLISH or not path.exists():
        return intro, tuple(hints)
    try:
        text = read_exercise_text(path, len(hints))
    except LessonError:
        return intro, tuple(hints)
    return (text.intro.strip() or intro), tuple(text.hints) if text.hints else tuple(hints)


# ---------------------------------------------------------------- tutor check


@dataclass(frozen=True)
class Gap:
    """A text shown in English because its translation is missing, or out of date: a warning, not a problem."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return str(Problem(self.file, self.line, self.field, self.message))


def check_translations(
    course: Course,
    exercises: Iterable[tuple[Path, str, Sequence[str]]] = (),
    languages: Iterable[str] | None = None,
) -> tuple[list[Problem], list[Gap]]:
    """Every translation of ``course``'s lessons and chapters, and of ``exercises`` (each as its
    folder, English intro and hints): (problems, gaps).

    Problems make ``tutor check`` fail (a structural key, a page too many, a parameter the
    lesson does not have, a file for no lesson); gaps are listed (a text not translated yet,
    a page whose English changed since it was translated).
    """
    problems: list[Problem] = []
    gaps: list[Gap] = []
    exercises = list(exercises)
    by_folder: dict[Path, list[Lesson]] = {}
    for lesson in course.lessons:
        if lesson.path is not None:
            by_folder.setdefault(lesson.path.parent, []).append(lesson)
    for language in languages or [code for code in LANGUAGES if code != ENGLISH]:
        # A folder without <language>/ does not ship that language (a pack in English only): nothing is missing.
        shipping = {folder: lessons for folder, lessons in by_folder.items() if (folder / language).is_dir()}
        for folder, lessons in sorted(shipping.items()):
            problems += _stray_files(folder, language, {lesson.id for lesson in lessons})
            titles, chapter_problems = read_chapter_titles(folder, language)
            problems += chapter_problems
            for number in sorted({lesson.chapter for lesson in lessons}):
                if number in course.chapters and number not in titles and not chapter_problems:
                    path = folder / language / "chapters.toml"
                    gaps.append(Gap(str(path), 1, f"chapters.{number}", "not translated: shown in English"))
        for lesson in course.lessons:
            if lesson.path is not None and lesson.path.parent in shipping:
                more_problems, more_gaps = _check_lesson(lesson, language)
                problems += more_problems
                gaps += more_gaps
        shipped = [exercise for exercise in exercises if Path(exercise[0]).parent.parent in shipping]
        more_problems, more_gaps = _check_exercises(shipped, language)
        problems += more_problems
        gaps += more_gaps
    return problems, gaps


def _stray_files(folder: Path, language: str, lesson_ids: set[str]) -> list[Problem]:
    """A ``<lang>/x.toml`` for no lesson of the folder is a mistake (a typo in the id), not a translation."""
    problems = []
    for path in sorted((folder / language).glob("*.toml")):
        if path.name in ("chapters.toml", GLOSSARY_FILE) or path.stem in lesson_ids:
            continue
        problems.append(Problem(str(path), 1, "", f"no lesson {path.stem!r} in {folder} to translate"))
    return problems


def _line_finder(path: Path):
    """The line of a field in ``path``, else of the nearest table holding it, else 1."""
    lines = key_lines(path.read_text(encoding="utf-8-sig"))

    def line_of(field: str) -> int:
        while field and field not in lines:
            field = field.rpartition(".")[0]
        return lines.get(field, 1)

    return line_of


def _check_lesson(lesson: Lesson, language: str) -> tuple[list[Problem], list[Gap]]:
    path = translation_file(lesson, language)
    if path is None:
        return [], []
    if not path.exists():
        count = len(missing_texts(lesson, None))
        return [], [Gap(str(path), 1, "", f"missing: {lesson.id} is shown in English ({count} texts)")]
    try:
        text = read_lesson_text_file(path, lesson)
    except LessonError as error:
        return error.problems, []
    line_of = _line_finder(path)
    gaps = [
        Gap(str(path), line_of(field), field, "not translated: shown in English")
        for field in missing_texts(lesson, text)
    ]
    for index, was, now in changed_pages(lesson, text):
        message = (
            f"page {index + 1} of {lesson.id} changed in English since it was translated "
            f"(source {was!r}, the English page is now {now!r})"
            if was
            else f"no source fingerprint: cannot tell when the English page changes (it is {now!r})"
        )
        gaps.append(Gap(str(path), line_of(f"pages.{index}.source"), f"pages.{index}.source", message))
    return [], gaps


def _check_exercises(
    exercises: Iterable[tuple[Path, str, Sequence[str]]], language: str
) -> tuple[list[Problem], list[Gap]]:
    problems: list[Problem] = []
    gaps: list[Gap] = []
    for folder, intro, hints in exercises:
        path = exercise_text_file(folder, language)
        if not path.exists():
            gaps.append(Gap(str(path), 1, "", f"missing: the exercise is shown in English ({1 + len(hints)} texts)"))
            continue
        try:
            text = read_exercise_text(path, len(hints))
        except LessonError as error:
            problems += error.problems
            continue
        line_of = _line_finder(path)
        if intro.strip() and not text.intro:
            gaps.append(Gap(str(path), 1, "intro", "not translated: shown in English"))
        if hints and not text.hints:
            gaps.append(Gap(str(path), line_of("hints"), "hints", "not translated: shown in English"))
    for folder, _intro, _hints in exercises:
        more_problems, more_gaps = _check_starter(Path(folder), language)
        problems += more_problems
        gaps += more_gaps
    return problems, gaps


def _check_starter(folder: Path, language: str) -> tuple[list[Problem], list[Gap]]:
    """A translated starter defines the English one's functions, with the same parameters, in the same order."""
    path = starter_text_file(folder, language)
    if not path.exists():
        return [], [Gap(str(path), 1, "", "missing: the starter's docstrings and TODOs are in English")]
    try:
        english = _functions(folder / "starter.py")
    except (OSError, UnicodeDecodeError, SyntaxError):  # the exercise's own starter: reported where it loads
        return [], []
    try:
        translated = _functions(path)
    except SyntaxError as error:
        return [Problem(str(path), error.lineno or 1, "", f"not Python: {error.msg}")], []
    except (OSError, UnicodeDecodeError) as error:
        return [Problem(str(path), 1, "", f"cannot read the file ({error})")], []
    for (name, signature, line), (want_name, want_signature, _line) in zip(translated, english):
        if (name, signature) != (want_name, want_signature):
            message = (
                f"defines {name}({signature}) where starter.py defines {want_name}({want_signature}): "
                "a translation changes docstrings, comments and messages, never the code"
            )
            return [Problem(str(path), line, name, message)], []
    if len(translated) != len(english):
        line = translated[len(english)][2] if len(translated) > len(english) else 1
        have = ", ".join(entry[0] for entry in translated) or "none"
        message = f"defines the functions {have}; starter.py defines {', '.join(entry[0] for entry in english)}"
        return [Problem(str(path), line, "", message)], []
    return [], []


def _functions(path: Path) -> list[tuple[str, str, int]]:
    """(name, parameters as written, line) of each function at the top of a Python file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.name, ast.unparse(node.args), node.lineno)
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


# ---------------------------------------------------------------- stamping fingerprints


def stamp(path: Path, lesson: Lesson) -> int:
    """Write each translated page's ``source`` fingerprint (the English page as it is now) into ``path``.

    Run it once a page's translation matches its English page. Returns how many lines changed.
    """
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    keys = key_lines(text)
    edits: list[tuple[int, bool, str]] = []  # (line index, replace it, new line)
    for index, page in enumerate(lesson.pages):
        header = keys.get(f"pages.{index}")
        if header is None:
            continue
        line = f'source = "{fingerprint(page.title, page.text)}"\n'
        at = keys.get(f"pages.{index}.source")
        if at is None:
            edits.append((header, False, line))  # just after the [[pages]] line
        elif lines[at - 1] != line:
            edits.append((at - 1, True, line))
    for at, replace, line in sorted(edits, reverse=True):
        lines[at : at + 1 if replace else at] = [line]
    if edits:
        path.write_text("".join(lines), encoding="utf-8")
    return len(edits)


def _main(argv: Sequence[str]) -> int:
    """``python -m tutor.course.translation stamp FILE...``: a translator's tool."""
    from tutor.course.loading import load_course

    if len(argv) < 2 or argv[0] != "stamp":
        print("usage: python -m tutor.course.translation stamp LANG/LESSON-ID.toml...", file=sys.stderr)
        return 2
    code = 0
    for name in argv[1:]:
        path = Path(name)
        if path.name in ("chapters.toml", GLOSSARY_FILE):  # no pages to stamp (a shell's *.toml names them)
            continue
        folder = path.resolve().parent.parent
        lesson = {lesson.id: lesson for lesson in load_course(folder).lessons}.get(path.stem)
        if lesson is None or not re.fullmatch(r"[a-z]{2}", path.parent.name):
            print(f"{name}: not a translation of a lesson in {folder}", file=sys.stderr)
            code = 2
            continue
        print(f"{name}: {stamp(path, lesson)} fingerprint(s) written")
    return code


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
