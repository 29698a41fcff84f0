"""What a loaded course is made of: lessons, their parameters, pages and challenge.

These are the typed objects the rest of the tutor reads; :mod:`tutor.course.loading`
builds them from lesson files, and a :class:`Problem` says what was wrong with one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from tutor.course.conditions import judge
from tutor.course.packs import resolve_routine
from tutor.i18n import _

Backend = Literal["numpy", "keras"]
ParamType = Literal["float", "int", "bool", "choice", "str"]
# A declared shape for free text, checked as it is typed (``format = "numbers"``);
# ``path``: a file the routine reads or writes (confined to the learner's data folder when served).
StrFormat = Literal["numbers", "whole-numbers", "path"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
PARAM_TYPES: tuple[ParamType, ...] = get_args(ParamType)
STR_FORMATS: tuple[StrFormat, ...] = get_args(StrFormat)
# A routine reads ``params.NAME``; these names are the Params object's own.
RESERVED_PARAM_NAMES = ("seed", "rng", "values", "items", "keys", "get")
SEED_MAX = 2**32 - 1  # what every backend's seeding accepts
SHOWN_VALUE_CHARS = 60  # a value echoed back in an error is cut to this


def shown(value: Any, limit: int = SHOWN_VALUE_CHARS) -> str:
    """``repr(value)`` for an error message, cut with '…' (a 100 KB --set value is not echoed whole)."""
    try:
        text = repr(value[: 2 * limit]) if isinstance(value, str) else repr(value)
    except ValueError:  # an int too long to print
        text = f"(a {type(value).__name__} too long to show)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# C0 controls, DEL and C1 controls: they move the cursor, retitle the terminal, write the clipboard.
# C0 and C1 controls and DEL, and the bidirectional overrides and isolates (U+202A-E, U+2066-9):
# those reorder what the terminal shows, so a title can read differently from what it says.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (for file names and keys in messages)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One mistake in a lesson file, read as ``file:line: field: what is wrong``."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        # A file name or a key may hold control characters: shown escaped, never sent raw.
        where = f"{printable(self.file)}:{self.line}"
        message = printable(self.message)
        return f"{where}: {printable(self.field)}: {message}" if self.field else f"{where}: {message}"


class LessonError(Exception):
    """One or more problems in lesson files."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ParamError(ValueError):
    """A parameter value the lesson does not accept; the message says why."""


# ---------------------------------------------------------------- lessons


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    default: Any
    help: str = ""
    label: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    format: StrFormat | Literal[""] = ""  # for str params, checked as typed

    @property
    def title(self) -> str:
        return self.label or self.name

    def coerce(self, raw: Any) -> Any:
        """Turn a typed-in string (or a TOML value) into a valid value, or raise ParamError."""
        value = self._convert(raw)
        if self.type in ("int", "float"):
            if self.min is not None and value < self.min:
                raise ParamError(
                    _("{name}: {value} is below the minimum {minimum}").format(
                        name=self.name, value=shown(value), minimum=self.min
                    )
                )
            if self.max is not None and value > self.max:
                raise ParamError(
                    _("{name}: {value} is above the maximum {maximum}").format(
                        name=self.name, value=shown(value), maximum=self.max
                    )
                )
        if self.type == "choice" and value not in self.choices:
            raise ParamError(
                _("{name}: {value} is not one of {choices}").format(
                    name=self.name, value=shown(value), choices=", ".join(self.choices)
                )
            )
        if self.type == "str" and self.format == "path":
            return self._file_path(value)
        if self.type == "str" and self.format:
            self._check_format(value)
        return value

    def _file_path(self, text: str) -> str:
        from tutor.files import TutorFileError
        from tutor.paths import lesson_file_path

        try:
            return lesson_file_path(text)
        except TutorFileError as error:
            raise ParamError(f"{self.name}: {error}") from None

    def _check_format(self, text: str) -> None:
        """``numbers``: finite numbers; ``whole-numbers``: whole numbers; separated by commas or spaces."""
        whole = self.format == "whole-numbers"
        # The separators the routines accept: commas and/or spaces (a list may come in brackets).
        text = text.strip()
        if text[:1] + text[-1:] in ("[]", "()"):
            text = text[1:-1]
        parts = [part for part in re.split(r"[,;\s]+", text) if part]
        if not parts:
            empty = (
                _("{name}: type whole numbers separated by commas, e.g. {example}")
                if whole
                else _("{name}: type numbers separated by commas, e.g. {example}")
            )
            raise ParamError(empty.format(name=self.name, example="3, 4" if whole else "0.5, 2"))
        for part in parts:
            try:
                number = int(part) if whole else float(part)
            except ValueError:
                wrong = (
                    _("{name}: {value} is not a whole number; type whole numbers separated by commas")
                    if whole
                    else _("{name}: {value} is not a number; type numbers separated by commas")
                )
                raise ParamError(wrong.format(name=self.name, value=shown(part))) from None
            if not whole and not math.isfinite(number):
                raise ParamError(_("{name}: {value} is not a finite number").format(name=self.name, value=shown(part)))

    def _convert(self, raw: Any) -> Any:
        text = raw.strip() if isinstance(raw, str) else raw
        try:
            if self.type == "int":
                if isinstance(text, bool) or isinstance(text, float) and not text.is_integer():
                    raise ValueError
                return int(text)
            if self.type == "float":
                if isinstance(text, bool):
                    raise ValueError
                value = float(text)
                if value != value or value in (float("inf"), float("-inf")):
                    raise ValueError
                return value
        except (TypeError, ValueError):
            kind = (
                _("{name}: {value} is not a whole number")
                if self.type == "int"
                else _("{name}: {value} is not a number")
            )
            raise ParamError(kind.format(name=self.name, value=shown(raw))) from None
        if self.type == "bool":
            if isinstance(text, bool):
                return text
            lowered = str(text).lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ParamError(_("{name}: {value} is not true or false").format(name=self.name, value=shown(raw)))
        if not isinstance(text, str):
            raise ParamError(_("{name}: {value} is not text").format(name=self.name, value=shown(raw)))
        return text


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    view: str = ""  # the view the page is about: the app puts it on the stage beside the page


@dataclass(frozen=True)
class Challenge:
    goal: str
    condition: str

    def met(self, result: Mapping[str, Any]) -> bool:
        """Evaluate the condition on a run's result (KeyError names a missing result key).

        The loader has checked the condition (``condition_names``), so this is cheap.
        """
        return judge(self.condition, result)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    chapter: int
    order: int
    backend: Backend
    routine: str
    views: tuple[str, ...]
    params: Mapping[str, Param]
    pages: tuple[Page, ...]
    challenge: Challenge
    summary: str = ""
    seed: int = 0
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    # Set for lessons of a pack passed explicitly: their routine may live in
    # a module of that folder (e.g. "my_routines:run" -> DIR/my_routines.py).
    code_dir: Path | None = None
    # The language of its text (tutor.i18n.LANGUAGES): "zh" once a translation replaced it.
    language: str = "en"

    @property
    def number(self) -> str:
        """Its place in the course, "chapter.order" (2.3): how the lesson tree and titles name it."""
        return f"{self.chapter}.{self.order}"

    def defaults(self) -> dict[str, Any]:
        return {name: param.default for name, param in self.params.items()}

    def resolve(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults, then the chosen preset, then explicit overrides - all validated.

        Raises ParamError naming the first unknown parameter or bad value.
        """
        overrides = dict(overrides or {})
        for name in overrides:
            if name not in self.params:
                known = ", ".join(self.params) or _("none")
                unknown = _("unknown parameter {name} for lesson {lesson} (known: {known})")
                raise ParamError(unknown.format(name=shown(name), lesson=repr(self.id), known=known))
        values = self.defaults()
        coerced = {name: self.params[name].coerce(raw) for name, raw in overrides.items()}
        preset: Any = coerced.get("preset", values.get("preset"))
        if self.presets and preset in self.presets:
            values.update(self.presets[preset])
        values.update(coerced)
        return values

    def load_routine(self) -> Callable[..., Mapping[str, Any]]:
        return resolve_routine(self.routine, self.code_dir)


# ---------------------------------------------------------------- the course


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]
    chapters: Mapping[int, str]
    problems: tuple[Problem, ...] = ()
    # Folders whose Python code the course runs (shown to the learner).
    code_dirs: tuple[Path, ...] = ()
    language: str = "en"  # the language it was loaded in; lessons without a translation stay English

    def get(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        known = ", ".join(lesson.id for lesson in self.lessons)
        raise KeyError(f"no lesson {lesson_id!r} (known: {known})")

    def by_chapter(self) -> dict[int, list[Lesson]]:
        chapters: dict[int, list[Lesson]] = {}
        for lesson in self.lessons:
            chapters.setdefault(lesson.chapter, []).append(lesson)
        return chapters

    def chapter_title(self, number: int) -> str:
        return self.chapters.get(number, f"Chapter {number}")
