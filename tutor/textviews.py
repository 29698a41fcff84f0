"""The text views (``table`` and ``matrix``) as rich renderables, for both renderers.

No number is ever cut: numbers are written compactly (60000, 0.9548, -0.0356,
1.2e-05) and never wrap, and a table's least width keeps every one of them
whole - a view narrower than that scrolls sideways and says so (the app's
TextView). Text cells (names, formulas, shapes) may wrap, but only between
their parts: a bracketed group such as ``(None, 24, 24, 6)`` or ``sigmoid(A1)``
stays on one line. Matrices are laid side by side as far as the width allows,
each with its title above it. Nothing from the data is read as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from tutor.formatting import format_number
from tutor.i18n import _
from tutor.views import VIEWS, MatrixData, Renderer, TableData, draws

GAP = 3  # columns between matrices side by side


def compact(value: Any) -> str:
    """A cell: a number as :func:`~tutor.formatting.format_number` writes it, anything else as text."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return format_number(float(value))
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


# A bracketed group up to this wide stays on one line: (None, 24, 24, 6), sigmoid(A1), a one-hot [0 0 1 ...].
GROUP = 22


def atoms(text: str, group: int = GROUP, hyphens: bool = False) -> list[str]:
    """The parts a text may wrap between: its words, with each bracketed group up to ``group``
    wide kept whole (``hyphens``: a word may also break after a hyphen, as a header may)."""
    parts: list[str] = []
    current, depth = "", 0
    for char in " ".join(str(text).split()):
        if char == " " and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += 1 if char in "([{" else -1 if char in ")]}" and depth else 0
        current += char
    parts.append(current)
    # A long group (a whole formula in brackets) may still break between its words.
    words = [word for part in parts for word in ([part] if len(part) <= group else part.split(" ")) if word]
    if hyphens:
        words = [piece for word in words for piece in re.split(r"(?<=-)(?=\w)", word)]
    return words


class Wrapped:
    """Text that wraps only between its :func:`atoms`; an atom wider than the room is folded."""

    def __init__(self, text: str, style: str = "", *, header: bool = False) -> None:
        # A header (a column's name) may break anywhere between words: its numbers set the width.
        self.parts = atoms(text, 0, hyphens=True) if header else atoms(text)
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(part) for part in self.parts), default=0)
        whole = cell_len(" ".join(self.parts))
        return Measurement(min(widest, options.max_width), min(whole, options.max_width))

    def lines(self, width: int) -> list[str]:
        lines: list[str] = []
        for part in self.parts:
            if lines and cell_len(lines[-1]) + 1 + cell_len(part) <= width:
                lines[-1] += " " + part
            else:
                lines.append(part)
        return lines or [""]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = Text("\n".join(self.lines(options.max_width)), style=self.style)
        yield from text.wrap(console, options.max_width, overflow="fold")


class FittedTable:
    """A table that gives each column at least its widest number or word-group.

    rich narrows a table that is too wide by squeezing its widest columns, numbers
    included; here the room left after every column's least width is shared out
    in proportion to what each column would still like, so only text wraps. Narrower
    than the sum of those least widths, the table keeps them (its view scrolls).
    """

    def __init__(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.title = Wrapped(title) if title else None
        self.numeric = [
            bool(rows) and all(_is_number(row[index]) for row in rows if index < len(row))
            for index in range(len(columns))
        ]
        self.header = [Wrapped(column, header=True) for column in columns]
        self.rows = [
            [Text(compact(value)) if _is_number(value) else Wrapped(compact(value)) for value in row] for row in rows
        ]

    def _limits(self, console: Console, options: ConsoleOptions) -> list[Measurement]:
        limits = []
        for index, header in enumerate(self.header):
            cells = [header, *(row[index] for row in self.rows if index < len(row))]
            sizes = [Measurement.get(console, options.update_width(10_000), cell) for cell in cells]
            limits.append(Measurement(max(m.minimum for m in sizes), max(m.maximum for m in sizes)))
        return limits

    def _table(self, widths: Sequence[int | None]) -> Table:
        """The table with these column widths; a column whose width is None is left out."""
        # No edges: two columns and two rows more for the numbers.
        view = Table(expand=False, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_edge=False)
        kept = [index for index, width in enumerate(widths) if width is not None]
        for index in kept:
            numeric = self.numeric[index]
            view.add_column(
                self.header[index],
                justify="right" if numeric and index else "left",
                no_wrap=numeric,
                width=widths[index],
            )
        for row in self.rows:
            view.add_row(*(row[index] if index < len(row) else Text("") for index in kept))
        return view

    def _extra(self, console: Console, options: ConsoleOptions, columns: int) -> int:
        """The cells a table of this many columns takes for its edges and gaps."""
        ones: list[int | None] = [1] * columns + [None] * (len(self.header) - columns)
        return Measurement.get(console, options.update_width(10_000), self._table(ones)).maximum - columns

    def _droppable(self) -> list[int]:
        """The text columns that may be left out when the numbers would not fit, last first."""
        return [index for index in reversed(range(1, len(self.header))) if not self.numeric[index]]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        limits = self._limits(console, options)
        kept = len(limits) - len(self._droppable())
        least = sum(m.minimum for i, m in enumerate(limits) if i not in self._droppable()) + self._extra(
            console, options, kept
        )
        most = sum(m.maximum for m in limits) + self._extra(console, options, len(limits))
        if self.title is not None:
            title = Measurement.get(console, options, self.title)
            least, most = max(least, title.minimum), max(most, title.maximum)
        return Measurement(least, most)

    def widths(self, console: Console, options: ConsoleOptions) -> list[int | None]:
        """Each column's width in ``options.max_width``: its least, plus a share of what is left;
        None for a text column left out because the numbers would not fit with it."""
        limits = self._limits(console, options)
        dropped: set[int] = set()
        for candidate in [None, *self._droppable()]:
            if candidate is not None:
                dropped.add(candidate)
            kept = [index for index in range(len(limits)) if index not in dropped]
            room = options.max_width - self._extra(console, options, len(kept))
            if sum(limits[index].minimum for index in kept) <= room:
                break
        # Still too wide with every text column left out: the least widths (the view scrolls).
        spare = max(room - sum(limits[index].minimum for index in kept), 0)
        wants = {index: limits[index].maximum - limits[index].minimum for index in kept}
        total = sum(wants.values())
        widths: list[int | None] = [None] * len(limits)
        for index in kept:
            share = wants[index] if spare >= total else spare * wants[index] // max(total, 1)
            widths[index] = limits[index].minimum + share
        return widths

    def left_out(self, widths: Sequence[int | None]) -> list[str]:
        return [" ".join(self.header[i].parts) for i, width in enumerate(widths) if width is None]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.title is not None:
            yield self.title
        widths = self.widths(console, options)
        if self.left_out(widths):
            names = ", ".join(self.left_out(widths))
            yield Text(
                _("(too narrow for the column {names}: widen the view to see it)").format(names=names), style="dim"
            )
        yield self._table(widths)


def table(data: TableData) -> FittedTable:
    return FittedTable(str(data.get("title") or ""), [str(c) for c in data["columns"]], data["rows"])


def _matrix(entry: Mapping[str, Any]) -> RenderableType:
    values = np.atleast_2d(np.asarray(entry["values"]))
    rows = entry.get("rows")
    cols = entry.get("cols")
    view = Table(show_header=cols is not None, box=None, padding=(0, 1), pad_edge=False, show_lines=False)
    if rows is not None:
        view.add_column("", style="bold", no_wrap=True)
    integer = np.issubdtype(values.dtype, np.integer)
    cells = [[compact(value) for value in row] for row in values]
    for index in range(values.shape[1]):
        widest = max((len(row[index]) for row in cells), default=1)
        # A long class name folds in its header: all ten columns fit in 80.
        view.add_column(
            Text(str(cols[index])) if cols is not None else "",
            justify="right",
            no_wrap=False,
            overflow="fold",
            min_width=widest,
            max_width=max(widest, 5),
        )
    largest = values.max() if integer and values.size else 0
    for r, row in enumerate(values):
        line = []
        for c, value in enumerate(row):
            text = Text(cells[r][c])
            if integer and largest and value and value >= largest / 2:
                text.stylize("bold")  # counts (a confusion matrix): the large ones stand out
            line.append(text)
        view.add_row(*([Text(str(rows[r]))] if rows is not None else []), *line)
    if not entry.get("title"):
        return view
    return Group(Wrapped(str(entry["title"]), style="bold"), view)


class Flow:
    """Renderables side by side, as many to a row as the width allows (like words)."""

    def __init__(self, items: Iterable[RenderableType], gap: int = GAP) -> None:
        self.items, self.gap = list(items), gap

    def _widths(self, console: Console, options: ConsoleOptions) -> list[Measurement]:
        return [Measurement.get(console, options, item) for item in self.items]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widths = self._widths(console, options)
        least = max((w.minimum for w in widths), default=0)
        whole = sum(w.maximum for w in widths) + self.gap * max(len(widths) - 1, 0)
        return Measurement(least, min(whole, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = options.max_width
        rows: list[list[tuple[RenderableType, int]]] = []
        used = 0
        for item, width in zip(self.items, self._widths(console, options)):
            size = min(width.maximum, room)
            if rows and used + self.gap + size <= room:
                rows[-1].append((item, size))
                used += self.gap + size
            else:
                rows.append([(item, size)])
                used = size
        for row in rows:
            grid = Table.grid(padding=(0, self.gap, 0, 0))
            for _item, size in row:
                grid.add_column(width=size, no_wrap=False)
            grid.add_row(*(item for item, _size in row))
            yield grid


def matrix(data: MatrixData) -> RenderableType:
    return Flow(_matrix(entry) for entry in data["matrices"])


draws("table")(table)
draws("matrix")(matrix)


def renderable(kind: str, data: Mapping[str, Any] | None) -> RenderableType:
    """The rich renderable for a text view (``table`` or ``matrix``), or a placeholder before any data."""
    if not data:
        return Text(_("(run the lesson to fill this view)"), style="dim")
    view = VIEWS[kind]
    if view.renderer is not Renderer.TEXT:
        raise ValueError(f"{kind} is not a text view")
    return view.drawer(data)
