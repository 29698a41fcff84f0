"""Lessons are data: a strict loader from TOML files to typed objects.

Every problem becomes a :class:`Problem` that reads ``file:line: field: what is
wrong``; :func:`load_lessons` collects them all instead of stopping at the
first, so ``tutor check`` can list every mistake in one go.
"""

from __future__ import annotations

import ast
import importlib
import keyword
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.views import VIEW_KINDS

BACKENDS = ("numpy", "keras")
PARAM_TYPES = ("float", "int", "bool", "choice", "str")
# A declared shape for free text, checked as it is typed (``format = "numbers"``);
# ``path``: a file the routine reads or writes (confined to the learner's data folder when served).
STR_FORMATS = ("numbers", "whole-numbers", "path")
ROUTINE_PACKAGE = "tutor"
# A routine reads ``params.NAME``; these names are the Params object's own.
RESERVED_PARAM_NAMES = ("seed", "rng", "values", "items", "keys", "get")
SEED_MAX = 2**32 - 1  # what every backend's seeding accepts

# Lesson files are small text: anything bigger, or not a regular file (a FIFO,
# /dev/zero, a folder), is reported instead of read.
MAX_LESSON_BYTES = 1_000_000
MAX_NESTING = 16  # tables and lists inside each other; lessons use 3
MAX_CONDITION_CHARS = 400
MAX_CONDITION_DEPTH = 24
MAX_CONSTANT_BITS = 64  # whole numbers in a condition: no 4000-digit products
SHOWN_VALUE_CHARS = 60  # a value echoed back in an error is cut to this


def shown(value: Any, limit: int = SHOWN_VALUE_CHARS) -> str:
    """``repr(value)`` for an error message, cut with '…' (a 100 KB --set value is not echoed whole)."""
    try:
        text = repr(value[: 2 * limit]) if isinstance(value, str) else repr(value)
    except ValueError:  # an int too long to print
        text = f"(a {type(value).__name__} too long to show)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# C0 controls, DEL and C1 controls: they move the cursor, retitle the terminal, write the clipboard.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (for file names and keys in messages)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
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


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str = ""
    label: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    format: str = ""  # for str params: one of STR_FORMATS, checked as typed

    @property
    def title(self) -> str:
        return self.label or self.name

    def coerce(self, raw: Any) -> Any:
        """Turn a typed-in string (or a TOML value) into a valid value, or raise ParamError."""
        value = self._convert(raw)
        if self.type in ("int", "float"):
            if self.min is not None and value < self.min:
                raise ParamError(f"{self.name}: {shown(value)} is below the minimum {self.min}")
            if self.max is not None and value > self.max:
                raise ParamError(f"{self.name}: {shown(value)} is above the maximum {self.max}")
        if self.type == "choice" and value not in self.choices:
            raise ParamError(f"{self.name}: {shown(value)} is not one of {', '.join(self.choices)}")
        if self.type == "str" and self.format == "path":
            return self._file_path(value)
        if self.type == "str" and self.format:
            self._check_format(value)
        return value

    def _file_path(self, text: str) -> str:
        from tutor.files import TutorFileError, lesson_file_path

        try:
            return lesson_file_path(text)
        except TutorFileError as error:
            raise ParamError(f"{self.name}: {error}") from None

    def _check_format(self, text: str) -> None:
        """``numbers``: finite numbers; ``whole-numbers``: whole numbers; separated by commas or spaces."""
        whole = self.format == "whole-numbers"
        kind = "whole numbers" if whole else "numbers"
        # The separators the routines accept: commas and/or spaces (a list may come in brackets).
        text = text.strip()
        if text[:1] + text[-1:] in ("[]", "()"):
            text = text[1:-1]
        parts = [part for part in re.split(r"[,;\s]+", text) if part]
        if not parts:
            raise ParamError(f"{self.name}: type {kind} separated by commas, e.g. {'3, 4' if whole else '0.5, 2'}")
        for part in parts:
            try:
                number = int(part) if whole else float(part)
            except ValueError:
                raise ParamError(
                    f"{self.name}: {shown(part)} is not a {'whole number' if whole else 'number'};"
                    f" type {kind} separated by commas"
                ) from None
            if not whole and not math.isfinite(number):
                raise ParamError(f"{self.name}: {shown(part)} is not a finite number")

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
            kind = "a whole number" if self.type == "int" else "a number"
            raise ParamError(f"{self.name}: {shown(raw)} is not {kind}") from None
        if self.type == "bool":
            if isinstance(text, bool):
                return text
            lowered = str(text).lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ParamError(f"{self.name}: {shown(raw)} is not true or false")
        if not isinstance(text, str):
            raise ParamError(f"{self.name}: {shown(raw)} is not text")
        return text


@dataclass(frozen=True)
class Page:
    title: str
    text: str


@dataclass(frozen=True)
class Challenge:
    goal: str
    condition: str

    def met(self, result: Mapping[str, Any]) -> bool:
        """Evaluate the condition on a run's result (KeyError names a missing result key).

        The loader has checked the condition (``condition_names``), so this is cheap.
        """
        return bool(_evaluate(ast.parse(self.condition, mode="eval").body, result))


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    chapter: int
    order: int
    backend: str
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
                known = ", ".join(self.params) or "none"
                raise ParamError(f"unknown parameter {shown(name)} for lesson {self.id!r} (known: {known})")
        values = self.defaults()
        coerced = {name: self.params[name].coerce(raw) for name, raw in overrides.items()}
        preset: Any = coerced.get("preset", values.get("preset"))
        if self.presets and preset in self.presets:
            values.update(self.presets[preset])
        values.update(coerced)
        return values

    def load_routine(self) -> Callable[..., Mapping[str, Any]]:
        return resolve_routine(self.routine, self.code_dir)


# ---------------------------------------------------------------- routines


def _split_routine(dotted: str) -> tuple[str, str]:
    module_name, _, attr = dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
    return module_name, attr


def resolve_routine(dotted: str, code_dir: Path | None = None) -> Callable[..., Any]:
    """Import ``package.module:function`` (or ``package.module.function``).

    With ``code_dir`` (a pack passed explicitly), a module that is not part
    of ``tutor`` is loaded from ``code_dir/<module>.py`` instead.
    """
    module_name, attr = _split_routine(dotted)
    if code_dir is not None and module_name.split(".")[0] != ROUTINE_PACKAGE:
        module = _import_pack_module(code_dir, module_name)
    else:
        module = importlib.import_module(module_name)
    function = getattr(module, attr)
    if not callable(function):
        raise TypeError(f"{dotted} is not a function")
    return function


def _import_pack_module(code_dir: Path, module_name: str) -> Any:
    """Load DIR/name.py under a private name, so packs cannot shadow real modules."""
    import hashlib
    import importlib.util
    import sys

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", module_name):
        raise ImportError(f"pack routines live in a module file of the pack folder, not {module_name!r}")
    file = Path(code_dir) / f"{module_name}.py"
    if not file.is_file():
        raise ImportError(f"no {file}")
    private = f"tutor_pack_{hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:10]}_{module_name}"
    if private in sys.modules:
        return sys.modules[private]
    spec = importlib.util.spec_from_file_location(private, file)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[private] = module
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except BaseException:
        del sys.modules[private]
        raise
    return module


# ---------------------------------------------------------------- challenge conditions

_ALLOWED_CALLS: dict[str, Callable[..., Any]] = {"abs": abs, "min": min, "max": max}
_COMPARE = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
_ARITH = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def _depth(tree: ast.AST) -> int:
    """How deeply the expression nests (without recursion: the tree may be deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def condition_names(condition: str) -> set[str]:
    """The result keys a condition reads; raises ValueError if it is not allowed.

    Conditions are judged after every run, so their cost is bounded here: a
    short text, a shallow tree and numbers of ordinary size.
    """
    if len(condition) > MAX_CONDITION_CHARS:
        raise ValueError(f"is {len(condition)} characters long; a condition has at most {MAX_CONDITION_CHARS}")
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"not a valid condition ({error.msg})") from None
    except (RecursionError, MemoryError):
        raise ValueError("nests too deeply") from None
    if _depth(tree) > MAX_CONDITION_DEPTH:
        raise ValueError(f"nests too deeply (more than {MAX_CONDITION_DEPTH} levels)")
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and abs(node.value).bit_length() > MAX_CONSTANT_BITS
        ):
            raise ValueError("a whole number in a condition has at most 19 digits")
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in _ALLOWED_CALLS) or node.keywords:
                raise ValueError("only abs(), min() and max() may be called")
        elif isinstance(node, ast.Name):
            if node.id not in _ALLOWED_CALLS:
                names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) or node.value is None:
                raise ValueError("only numbers and True/False may appear as constants")
        elif not isinstance(
            node,
            (
                ast.Expression,
                ast.BoolOp,
                ast.And,
                ast.Or,
                ast.Compare,
                ast.BinOp,
                ast.UnaryOp,
                ast.USub,
                ast.Not,
                ast.Load,
                *_COMPARE,
                *_ARITH,
            ),
        ):
            raise ValueError(f"{type(node).__name__} is not allowed in a condition")
    return names


def _evaluate(node: ast.AST, result: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, result) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, result)
        for op, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, result)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](_evaluate(node.left, result), _evaluate(node.right, result))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, result)
        return -value if isinstance(node.op, ast.USub) else not value
    if isinstance(node, ast.Call):
        return _ALLOWED_CALLS[node.func.id](*(_evaluate(a, result) for a in node.args))  # type: ignore[attr-defined]
    if isinstance(node, ast.Name):
        return result[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    raise ValueError(f"{type(node).__name__} is not allowed in a condition")


# ---------------------------------------------------------------- line numbers

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted key paths ("params.lr.default", "pages.1.title") to their line.

    tomllib gives no positions, so this scans the lines the way TOML lays them
    out; values that span lines (multi-line strings) are skipped over.
    """
    lines: dict[str, int] = {}
    table = ""
    array_counts: dict[str, int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = ".".join(part.strip().strip("\"'") for part in header.group(1).split("."))
            if line.lstrip().startswith("[["):
                index = array_counts.get(name, 0)
                array_counts[name] = index + 1
                name = f"{name}.{index}"
            table = name
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1).strip("\"'")
            lines.setdefault(f"{table}.{name}" if table else name, number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


class _Checker:
    """Collects problems for one file, each pinned to the line of its field."""

    def __init__(self, path: Path, text: str) -> None:
        self.file = str(path)
        self.lines = _key_lines(text)
        self.problems: list[Problem] = []

    def line_of(self, dotted: str) -> int:
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return 1

    def problem(self, dotted: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line_of(dotted), dotted, message))

    def table(
        self,
        data: Mapping[str, Any],
        where: str,
        required: Mapping[str, type | tuple],
        optional: Mapping[str, type | tuple],
    ) -> dict[str, Any]:
        """Check a table's keys and value types; return the well-typed ones."""
        good: dict[str, Any] = {}
        prefix = f"{where}." if where else ""
        for key, value in data.items():
            if key not in required and key not in optional:
                allowed = ", ".join([*required, *optional])
                self.problem(prefix + key, f"unknown key (allowed: {allowed})")
                continue
            expected = required.get(key) or optional[key]
            if not _is(value, expected):
                self.problem(prefix + key, f"must be {_describe(expected)}, not {_describe(type(value))}")
                continue
            good[key] = value
        for key in required:
            if key not in data:
                self.problems.append(Problem(self.file, self.line_of(where) if where else 1, prefix + key, "missing"))
        return good


def _is(value: Any, expected: type | tuple) -> bool:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


def _describe(kind: type | tuple) -> str:
    names = {str: "text", int: "an integer", float: "a number", bool: "true or false", list: "a list", dict: "a table"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


# ---------------------------------------------------------------- loading

_TOP_REQUIRED = {
    "id": str,
    "title": str,
    "chapter": int,
    "order": int,
    "backend": str,
    "routine": str,
    "views": list,
    "pages": list,
    "challenge": dict,
}
_TOP_OPTIONAL = {"summary": str, "seed": int, "params": dict, "presets": dict}
_PARAM_REQUIRED: dict[str, type | tuple[type, ...]] = {"type": str, "default": (str, int, float, bool)}
_PARAM_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "help": str,
    "label": str,
    "min": float,
    "max": float,
    "choices": list,
    "format": str,
}
_ID = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
# Where a line break or a tab belongs: Markdown pages and help text.
_LAYOUT_FIELDS = re.compile(r"^(pages\.\d+\.text|params\.[^.]+\.help)$")


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
            raise refuse("not a regular file (a folder, FIFO or device); skipped")
        if info.st_size > MAX_LESSON_BYTES:
            raise refuse(f"is {info.st_size:,} bytes; a lesson file has at most {MAX_LESSON_BYTES:,}")
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening does not wait.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise refuse("not a regular file (a folder, FIFO or device); skipped")
            with os.fdopen(handle, "rb", closefd=False) as file:
                raw = file.read(MAX_LESSON_BYTES + 1)
        finally:
            os.close(handle)
    except OSError as error:
        raise refuse(f"cannot read the file ({error.strerror or error})") from None
    if len(raw) > MAX_LESSON_BYTES:
        raise refuse(f"is larger than {MAX_LESSON_BYTES:,} bytes")
    try:
        return raw.decode("utf-8-sig")  # an editor's byte-order mark is fine
    except UnicodeDecodeError as error:
        raise refuse(f"cannot read the file (not UTF-8 text: byte {error.start})") from None


def parse_lesson_toml(path: Path, text: str) -> dict[str, Any]:
    """TOML to a table, every failure (bad syntax, 100,000 nested brackets) as a LessonError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) if match else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise LessonError([Problem(str(path), line, "", f"invalid TOML: {message}")]) from None
    except (RecursionError, MemoryError):
        raise LessonError([Problem(str(path), 1, "", "invalid TOML: nested too deeply")]) from None
    except ValueError as error:  # e.g. an integer too long to convert
        raise LessonError([Problem(str(path), 1, "", f"invalid TOML: {str(error)[:100]}")]) from None
    return data


def _check_text(check: _Checker, data: Mapping[str, Any]) -> None:
    """Every key and string holds text only (no control characters), and nesting is bounded.

    Walks without recursion: the structure is not trusted yet.
    """
    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        where, value, depth = stack.pop()
        if depth > MAX_NESTING:
            check.problem(where, f"nested more than {MAX_NESTING} levels deep")
            continue
        if isinstance(value, str):
            pattern = _CONTROL_EXCEPT_LAYOUT if _LAYOUT_FIELDS.match(where) else _CONTROL
            bad = pattern.search(value)
            if bad:
                check.problem(where, f"contains a control character (U+{ord(bad.group()):04X})")
        elif isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else key
                bad = _CONTROL.search(key)
                if bad:
                    check.problem(path, f"contains a control character (U+{ord(bad.group()):04X})")
                    continue
                stack.append((path, item, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (f"{where}.{index}" if where.startswith("pages") and depth == 1 else where, item, depth + 1)
                for index, item in enumerate(value)
            )


def load_lesson(path: Path, code_dir: Path | None = None) -> Lesson:
    """Load one lesson file; raise LessonError listing every problem in it.

    ``code_dir`` is given for packs the learner passed explicitly: only then
    may a routine come from outside the ``tutor`` package (from that folder).
    """
    path = Path(path)
    text = read_lesson_text(path)
    data = parse_lesson_toml(path, text)

    check = _Checker(path, text)
    _check_text(check, data)
    if check.problems:  # nothing more is read from a file that holds control characters
        raise LessonError(check.problems)
    top = check.table(data, "", _TOP_REQUIRED, _TOP_OPTIONAL)

    lesson_id = top.get("id", path.stem)
    if "id" in top and not _ID.match(lesson_id):
        check.problem("id", "use lower-case letters, digits and dashes (e.g. 'deep-spiral')")
    if "backend" in top and top["backend"] not in BACKENDS:
        check.problem("backend", f"must be one of {', '.join(BACKENDS)}, not {top['backend']!r}")
    for key in ("chapter", "order"):
        if key in top and top[key] < 1:
            check.problem(key, "must be 1 or more")
    if "seed" in top and not 0 <= top["seed"] <= SEED_MAX:
        check.problem("seed", f"must be between 0 and {SEED_MAX}, not {shown(top['seed'])}")

    if "routine" in top:
        _check_routine(check, top["routine"], code_dir)

    views = tuple(top.get("views", ()))
    for view in views:
        if view not in VIEW_KINDS:
            check.problem("views", f"unknown view {view!r} (known: {', '.join(VIEW_KINDS)})")
    if "views" in top and not views:
        check.problem("views", "a lesson shows at least one view")

    params = _load_params(check, data.get("params", {}) if isinstance(data.get("params"), dict) else {})
    presets = _load_presets(check, top.get("presets", {}), params)
    pages = _load_pages(check, top.get("pages", []))
    challenge = _load_challenge(check, top.get("challenge"))

    if check.problems:
        raise LessonError(check.problems)
    return Lesson(
        id=lesson_id,
        title=top["title"],
        chapter=top["chapter"],
        order=top["order"],
        backend=top["backend"],
        routine=top["routine"],
        views=views,
        params=params,
        pages=pages,
        challenge=challenge,
        summary=top.get("summary", ""),
        seed=top.get("seed", 0),
        presets=presets,
        path=path,
        code_dir=code_dir,
    )


def _check_routine(check: _Checker, routine: str, code_dir: Path | None) -> None:
    module_name, _ = _split_routine(routine)
    if code_dir is None and module_name.split(".")[0] != ROUTINE_PACKAGE:
        check.problem(
            "routine",
            f"must name a function inside the {ROUTINE_PACKAGE!r} package, not {routine!r}"
            " (routines from a lesson folder run only when it is passed with --lessons or TUTOR_LESSONS)",
        )
        return
    try:
        resolve_routine(routine, code_dir)
    except ImportError as error:
        check.problem("routine", f"cannot import {module_name!r} ({error})")
    except (AttributeError, TypeError, ValueError):
        check.problem("routine", f"{routine!r} does not name a function")
    except Exception as error:  # the pack's module itself is broken
        check.problem("routine", f"importing {module_name!r} failed: {type(error).__name__}: {error}")


def _load_params(check: _Checker, raw: Mapping[str, Any]) -> dict[str, Param]:
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        where = f"params.{name}"
        if not isinstance(spec, dict):
            check.problem(where, "must be a table ([params.NAME])")
            continue
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            check.problem(where, "a parameter name is a word of letters, digits and _ (routines read params.NAME)")
            continue
        if name in RESERVED_PARAM_NAMES:
            check.problem(
                where, f"{name!r} is reserved (routines read params.{name} for something else); choose another name"
            )
            continue
        good = check.table(spec, where, _PARAM_REQUIRED, _PARAM_OPTIONAL)
        for bound in ("min", "max"):
            if bound in good and not math.isfinite(good[bound]):
                check.problem(f"{where}.{bound}", f"must be a finite number, not {good.pop(bound)}")
        if "type" not in good or "default" not in good:
            continue
        kind = good["type"]
        if kind not in PARAM_TYPES:
            check.problem(f"{where}.type", f"must be one of {', '.join(PARAM_TYPES)}, not {kind!r}")
            continue
        text_format = good.get("format", "")
        if "format" in good and (kind != "str" or text_format not in STR_FORMATS):
            check.problem(f"{where}.format", f"applies to str parameters and is one of {', '.join(STR_FORMATS)}")
            text_format = ""
        choices = tuple(str(c) for c in good.get("choices", ()))
        if kind == "choice" and not choices:
            check.problem(f"{where}.choices", "a choice parameter needs a list of choices")
            continue
        if kind != "choice" and "choices" in good:
            check.problem(f"{where}.choices", f"only choice parameters have choices, this one is {kind}")
        if kind not in ("int", "float") and ("min" in good or "max" in good):
            check.problem(where, f"min and max apply to numbers, this parameter is {kind}")
        low, high = good.get("min"), good.get("max")
        if low is not None and high is not None and low > high:
            check.problem(f"{where}.min", f"min {low} is above max {high}")
        param = Param(name, kind, None, good.get("help", ""), good.get("label", ""), low, high, choices, text_format)
        try:
            default = _strict_default(param, good["default"])
        except ParamError as error:
            check.problem(f"{where}.default", str(error).removeprefix(f"{name}: "))
            continue
        params[name] = Param(name, kind, default, param.help, param.label, low, high, choices, text_format)
    return params


def _strict_default(param: Param, value: Any) -> Any:
    """TOML defaults must already have the declared type (no "3" for an int)."""
    expected = {"int": int, "float": float, "bool": bool, "choice": str, "str": str}[param.type]
    if not _is(value, expected):
        raise ParamError(f"{param.name}: must be {_describe(expected)}, not {_describe(type(value))}")
    return param.coerce(value)


def _load_presets(check: _Checker, raw: Mapping[str, Any], params: Mapping[str, Param]) -> dict:
    presets: dict[str, dict[str, Any]] = {}
    if raw and "preset" not in params:
        check.problem("presets", "presets need a choice parameter named 'preset'")
    for name, values in raw.items():
        where = f"presets.{name}"
        if not isinstance(values, dict):
            check.problem(where, "must be a table of parameter values")
            continue
        if "preset" in params and name not in params["preset"].choices:
            check.problem(where, f"{name!r} is not one of the preset parameter's choices")
        chosen: dict[str, Any] = {}
        for key, value in values.items():
            if key not in params or key == "preset":
                check.problem(f"{where}.{key}", "not a parameter of this lesson")
                continue
            try:
                chosen[key] = _strict_default(params[key], value)
            except ParamError as error:
                check.problem(f"{where}.{key}", str(error).removeprefix(f"{key}: "))
        presets[name] = chosen
    return presets


def _load_pages(check: _Checker, raw: list) -> tuple[Page, ...]:
    pages = []
    for index, page in enumerate(raw):
        where = f"pages.{index}"
        if not isinstance(page, dict):
            check.problem("pages", "each page is a [[pages]] table with title and text")
            continue
        good = check.table(page, where, {"title": str, "text": str}, {})
        if len(good) == 2:
            if not good["text"].strip():
                check.problem(f"{where}.text", "is empty")
            pages.append(Page(good["title"], good["text"]))
    if not raw and "pages" in check.lines:
        check.problem("pages", "a lesson needs at least one page of explanation")
    return tuple(pages)


def _load_challenge(check: _Checker, raw: Mapping[str, Any] | None) -> Challenge:
    if raw is None:
        return Challenge("", "False")
    good = check.table(raw, "challenge", {"goal": str, "condition": str}, {})
    if "condition" in good:
        try:
            condition_names(good["condition"])
        except ValueError as error:
            check.problem("challenge.condition", str(error))
    return Challenge(good.get("goal", ""), good.get("condition", "False"))


# ---------------------------------------------------------------- the course


def shipped_lessons_dir() -> Path:
    """The lessons that come with the tutor (inside the wheel, or the checkout's lessons/)."""
    inside = Path(__file__).parent / "lessons"
    return inside if inside.is_dir() else Path(__file__).parent.parent / "lessons"


@dataclass(frozen=True)
class Pack:
    """A folder of lesson files. ``trusted`` packs may bring their own routines."""

    path: Path
    trusted: bool = False
    # What the learner typed (``--lessons ""`` must not become Path("") = the current folder).
    given: str | None = None


def find_packs(explicit: Iterable[Path] = ()) -> list[Pack]:
    """Lesson packs beyond the course: ``--lessons`` folders and ``TUTOR_LESSONS``
    (passed explicitly, so trusted), then the user data folder's ``lessons/``
    (picked up by itself, so its lessons may only use the tutor's routines).
    """
    from tutor.paths import user_data_dir

    packs = [Pack(Path(p), trusted=True, given=os.fspath(p)) for p in explicit]
    for entry in os.environ.get("TUTOR_LESSONS", "").split(os.pathsep):
        if entry.strip():
            packs.append(Pack(Path(entry.strip()), trusted=True))
    user_pack = user_data_dir() / "lessons"
    if user_pack.is_dir():
        packs.append(Pack(user_pack, trusted=False))
    return packs


@dataclass(frozen=True)
class Course:
    lessons: tuple[Lesson, ...]
    chapters: Mapping[int, str]
    problems: tuple[Problem, ...] = ()
    # Folders whose Python code the course runs (shown to the learner).
    code_dirs: tuple[Path, ...] = ()

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


def load_course(directory: Path | None = None, packs: Iterable[Pack] = ()) -> Course:
    """Every lesson file of the course (or ``directory``) and of the packs,
    sorted by (chapter, order).

    Broken files do not stop the others from loading: their problems are kept
    in ``Course.problems``. A duplicate id is a problem of the later file.
    """
    folders = [Pack(Path(directory) if directory else shipped_lessons_dir(), trusted=directory is not None)]
    folders += list(packs)
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    chapters: dict[int, str] = {}
    code_dirs: list[Path] = []
    seen: dict[str, Path] = {}
    for pack in folders:
        if pack.given is not None and not pack.given.strip():
            problems.append(
                Problem(
                    "--lessons",
                    1,
                    "",
                    "an empty folder name; the current folder is loaded only when named (--lessons .)",
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
                    "is not a folder (give the folder that holds the lesson files)"
                    if found
                    else "lesson folder not found",
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
                line = _key_lines(read_lesson_text(path)).get("id", 1)
                problems.append(Problem(str(path), line, "id", f"{lesson.id!r} is already used by {seen[lesson.id]}"))
                continue
            seen[lesson.id] = path
            lessons.append(lesson)
            if code_dir is not None and lesson.routine.split(".")[0].split(":")[0] != ROUTINE_PACKAGE:
                if code_dir not in code_dirs:
                    code_dirs.append(code_dir)
    lessons.sort(key=lambda lesson: (lesson.chapter, lesson.order, lesson.id))
    return Course(tuple(lessons), chapters, tuple(problems), tuple(code_dirs))


def _load_chapters(path: Path) -> tuple[dict[int, str], list[Problem]]:
    try:
        text = read_lesson_text(path)
        data = parse_lesson_toml(path, text)
    except LessonError as error:
        return {}, error.problems
    check = _Checker(path, text)
    _check_text(check, data)
    if check.problems:
        return {}, check.problems
    chapters: dict[int, str] = {}
    table = data.get("chapters", {})
    if not isinstance(table, dict):
        check.problem("chapters", 'must be a table: [chapters] then lines like 1 = "Title"')
        table = {}
    for key, title in table.items():
        if not key.isdigit() or not isinstance(title, str) or len(key) > 6:
            check.problem(f"chapters.{key}", 'chapters are written as 1 = "Title"')
            continue
        chapters[int(key)] = title
    for key in data:
        if key != "chapters":
            check.problem(key, "unknown key (allowed: chapters)")
    return chapters, check.problems
