"""What a lesson file may say: the one declaration of its tables, keys and types.

Each table is a ``msgspec.Struct(forbid_unknown_fields=True)``: its fields are
the keys a file may write (in the order problems list them), their types are
checked by msgspec, and a ``Meta(description=...)`` on a constrained field is
the problem shown when the constraint fails. :func:`check_table` walks a file's
raw TOML with these declarations and reports every problem in TOML words
(``must be an integer, not text``) rather than stopping at the first one;
:func:`decode` then turns a file that has none into the typed tables.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import msgspec
from msgspec import Meta

from tutor.course.lines import FileProblems
from tutor.course.model import CONTROL, SEED_MAX, Backend, ParamType, shown
from tutor.i18n import N_, _

# A parameter's value as TOML writes it (a default, or a preset's value).
ParamValue = str | int | float | bool
# Where a line break or a tab belongs: Markdown pages and help text (and an exercise's intro and hints,
# in its translation: tutor.course.translation).
_LAYOUT_FIELDS = re.compile(r"^(pages\.\d+\.text|params\.[^.]+\.help|intro|hints)$")
_CONTROL_EXCEPT_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_NESTING = 16  # tables and lists inside each other; lessons use 3


# A chapter's number as a TOML key: "1" to "999999" (ASCII digits: int() reads them).
ChapterNumber = Annotated[str, Meta(pattern=r"^[0-9]{1,6}$")]


class Table(msgspec.Struct, forbid_unknown_fields=True):
    """A TOML table: any key not declared as a field is a problem."""


class PageTable(Table):
    """``[[pages]]``: one page of explanation (Markdown, shown as text) and the view it is about."""

    title: str
    text: Annotated[str, Meta(pattern=r"\S", description=N_("is empty"))]
    view: str = ""  # one of the lesson's views; empty: the lesson's `stage`


class ChallengeTable(Table):
    """``[challenge]``: what a run must achieve; ``condition`` reads the run's result."""

    goal: str
    condition: str


class ParamTable(Table):
    """``[params.NAME]``: a parameter the learner may change."""

    type: ParamType
    default: ParamValue
    help: str = ""
    label: str = ""
    min: int | float | None = None  # numbers only
    max: int | float | None = None
    choices: list[str] = []  # choice parameters only
    format: str = ""  # str parameters only: one of model.STR_FORMATS


class LessonFile(Table):
    """A lesson file: the top-level keys, then its tables."""

    id: Annotated[
        str,
        Meta(
            pattern=r"^[a-z0-9][a-z0-9\-]*$",
            description=N_("use lower-case letters, digits and dashes (e.g. 'deep-spiral')"),
        ),
    ]
    title: str
    chapter: Annotated[int, Meta(ge=1, description=N_("must be 1 or more"))]
    order: Annotated[int, Meta(ge=1, description=N_("must be 1 or more"))]
    backend: Backend
    routine: str
    views: Annotated[list[str], Meta(min_length=1, description=N_("a lesson shows at least one view"))]
    pages: Annotated[
        list[PageTable], Meta(min_length=1, description=N_("a lesson needs at least one page of explanation"))
    ]
    challenge: ChallengeTable
    summary: str = ""
    # The view a page is about unless it names its own: what the stage shows. Empty: the first of `views`.
    stage: str = ""
    seed: Annotated[int, Meta(ge=0, le=SEED_MAX, description=N_("must be between 0 and {seed_max}, not {value}"))] = 0
    params: dict[str, ParamTable] = {}
    presets: dict[str, dict[str, ParamValue]] = {}


class ChaptersFile(Table):
    """``chapters.toml``: ``[chapters]`` then lines like ``1 = "Title"``."""

    chapters: dict[ChapterNumber, str] = {}


# ---------------------------------------------------------------- checking, in TOML words

# Marked only: the schema is declared at import time; describe() translates them where a problem says them.
_WORDS: dict[Any, str] = {
    str: N_("text"),
    int: N_("an integer"),
    float: N_("a number"),
    bool: N_("true or false"),
    list: N_("a list"),
    dict: N_("a table"),
}


def describe(annotation: Any) -> str:
    """A declared type in TOML words: ``int | float`` -> "a number", a Struct -> "a table"."""
    annotation = _bare(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        kinds = [kind for kind in get_args(annotation) if kind is not type(None)]
        if set(kinds) == {int, float}:  # a number, whole or not
            kinds.remove(int)
        return _(" or ").join(describe(kind) for kind in kinds)
    if origin is Literal:
        return describe(type(get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return _("a table")
    words = _WORDS.get(origin or annotation)
    return _(words) if words else getattr(annotation, "__name__", str(annotation))


def describe_value(value: Any) -> str:
    """What a TOML value is: "text", "an integer", "a table", "datetime" (a type's own name: code)..."""
    words = _WORDS.get(type(value))
    return _(words) if words else type(value).__name__


def _bare(annotation: Any) -> Any:
    """The type without its ``Annotated`` constraints."""
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _is_scalar(annotation: Any) -> bool:
    """Text, a number, true or false (or a choice of them): no table or list."""
    annotation = _bare(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        return True
    if origin in (Union, types.UnionType):
        return all(_is_scalar(kind) for kind in get_args(annotation))
    return annotation in (str, int, float, bool, type(None))


@functools.cache  # the declarations are fixed: each is worked out once
def _this_level(annotation: Any) -> Any:
    """What is checked at this table's level: a nested table (or a list of them) is
    only checked to be a table (or a list) here; the loader checks inside it, so each
    problem in it is reported on its own line. A list of text is checked whole."""
    bare = _bare(annotation)
    origin = get_origin(bare)
    if isinstance(bare, type) and issubclass(bare, msgspec.Struct):
        shallow: Any = dict
    elif origin is dict or origin is list and not _is_scalar(get_args(bare)[0]):
        shallow = origin
    else:
        return annotation
    if get_origin(annotation) is Annotated:
        return Annotated[(shallow, *annotation.__metadata__)]  # keeps min_length and the like
    return shallow


def value_problem(value: Any, annotation: Any) -> str | None:
    """Why ``value`` does not fit the declared type, in TOML words (None if it fits)."""
    bare = _this_level(_bare(annotation))
    try:
        msgspec.convert(value, bare)
    except msgspec.ValidationError as error:
        if get_origin(bare) is Literal and isinstance(value, str):
            return _("must be one of {choices}, not {value}").format(
                choices=", ".join(get_args(bare)), value=shown(value)
            )
        if get_origin(bare) is list and isinstance(value, list):
            [item_type] = get_args(bare)
            for number, item in enumerate(value, start=1):
                if (problem := value_problem(item, item_type)) is not None:
                    return _("item {number} {problem}").format(number=number, problem=problem)
        if "out of range" in str(error):
            return _("{value} is out of range").format(value=shown(value))
        return _("must be {kind}, not {found}").format(kind=describe(annotation), found=describe_value(value))
    try:
        msgspec.convert(value, _this_level(annotation))
    except msgspec.ValidationError as error:  # a constraint: its description says it in words
        descriptions = [meta.description for meta in annotation.__metadata__ if isinstance(meta, Meta)]
        if descriptions and descriptions[0]:
            # Each description is marked with N_ where it is declared; the limits it may name are filled here.
            return _(descriptions[0]).format(value=shown(value), seed_max=SEED_MAX)
        return _plain(str(error))  # msgspec's own words (a constraint without a description): passed through
    return None


def _plain(message: str) -> str:
    """A msgspec message without its JSON words and path (a fallback, not expected).

    The words are msgspec's, in English: only a constraint declared without a description, or a file
    the checks let through and msgspec refuses, reaches this.
    """
    message = re.sub(r"\s*- at `\$[^`]*`$", "", message)
    return message.replace("`", "").replace("array", "list").replace("object", "table")


@functools.cache  # msgspec reads a Struct's annotations anew on every call
def _fields(table: type[Table]) -> dict[str, msgspec.structs.FieldInfo]:
    return {field.encode_name: field for field in msgspec.structs.fields(table)}


def check_table(problems: FileProblems, data: Mapping[str, Any], table: type[Table], where: str = "") -> dict[str, Any]:
    """Check one table's keys and values against its declaration; return the good ones.

    Unknown keys, missing keys and values of the wrong type or out of bounds are
    each a problem of their own, on the line of the key (or of the table).
    """
    fields = _fields(table)
    prefix = f"{where}." if where else ""
    good: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        if field is None:
            problems.add(prefix + key, _("unknown key (allowed: {keys})").format(keys=", ".join(fields)))
        elif (problem := value_problem(value, field.type)) is not None:
            problems.add(prefix + key, problem)
        else:
            good[key] = value
    for key, field in fields.items():
        if field.required and key not in data:
            problems.add(prefix + key, _("missing"), line=problems.line_of(where))
    return good


T = TypeVar("T", bound=Table)


def decode(problems: FileProblems, data: Mapping[str, Any], table: type[T]) -> T | None:
    """The typed tables of a file :func:`check_table` found no problem in.

    A file the checks let through but msgspec refuses would be a gap in the
    checks; it is still a problem line, never a traceback.
    """
    try:
        return msgspec.convert(data, table)
    except msgspec.ValidationError as error:
        found = re.search(r"- at `\$([^`]*)`$", str(error))
        path = re.sub(r"\[(\d+)\]", r".\1", found.group(1)).lstrip(".") if found else ""
        problems.add(path, _plain(str(error)))
        return None


# ---------------------------------------------------------------- text is text


def check_text(problems: FileProblems, data: Mapping[str, Any]) -> None:
    """Every key and string holds text only (no control characters), and nesting is bounded.

    Only page text and help may hold line breaks and tabs. Walks without
    recursion: the structure is not trusted yet.
    """
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        where, value, depth = stack.pop()
        if depth > MAX_NESTING:
            problems.add(where, _("nested more than {depth} levels deep").format(depth=MAX_NESTING))
            continue
        if isinstance(value, str):
            pattern = _CONTROL_EXCEPT_LAYOUT if _LAYOUT_FIELDS.match(where) else CONTROL
            bad = pattern.search(value)
            if bad:
                problems.add(where, _control_character(bad.group()))
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else key
                bad = CONTROL.search(key)
                if bad:
                    problems.add(path, _control_character(bad.group()))
                    continue
                stack.append((path, item, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (f"{where}.{index}" if where.startswith("pages") and depth == 1 else where, item, depth + 1)
                for index, item in enumerate(value)
            )


def _control_character(character: str) -> str:
    return _("contains a control character (U+{code:04X})").format(code=ord(character))
