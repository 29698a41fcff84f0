"""Line numbers for problems: where each key of a TOML file is written.

``tomllib`` gives values, not positions. The schema says what is wrong; this
module only says where, so that every problem reads ``file:line: field: ...``.
"""

from __future__ import annotations

import re
from pathlib import Path

from tutor.course.model import Problem

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


def key_lines(text: str) -> dict[str, int]:
    """Map dotted key paths ("params.lr.default", "pages.1.title") to their line.

    Scans the lines the way TOML lays them out; values that span lines
    (multi-line strings) are skipped over.
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


class FileProblems:
    """Collects the problems of one file, each pinned to the line of its field."""

    def __init__(self, path: Path, text: str) -> None:
        self.file = str(path)
        self.lines = key_lines(text)
        self.problems: list[Problem] = []

    def line_of(self, dotted: str) -> int:
        """The line of a field, else of the nearest table that holds it, else 1."""
        while dotted:
            if dotted in self.lines:
                return self.lines[dotted]
            dotted = dotted.rpartition(".")[0]
        return 1

    def add(self, dotted: str, message: str, *, line: int | None = None) -> None:
        self.problems.append(Problem(self.file, self.line_of(dotted) if line is None else line, dotted, message))
