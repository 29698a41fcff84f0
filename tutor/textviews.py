"""The text views (``table`` and ``matrix``) as rich renderables, for both renderers.

Numbers are written compactly (60000, 0.9548, -0.0356, 1.2e-05) and never wrap;
text cells (names, formulas) may wrap, so a table narrower than its natural
width still shows every column. Nothing from the data is read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tutor.formatting import format_number
from tutor.views import VIEWS, MatrixData, Renderer, TableData


def compact(value: Any) -> str:
    """A cell: a number as :func:`~tutor.formatting.format_number` writes it, anything else as text."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return format_number(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def table(data: TableData) -> Table:
    columns = [str(column) for column in data["columns"]]
    rows = [list(row) for row in data["rows"]]
    view = Table(
        title=Text(str(data["title"])) if data.get("title") else None,
        expand=False,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, column in enumerate(columns):
        numeric = bool(rows) and all(_is_number(row[index]) for row in rows if index < len(row))
        # Numbers keep their width (and align right); text may wrap to let the table fit.
        # Headers wrap between words, never inside one.
        longest_word = max((len(word) for word in column.split()), default=1)
        view.add_column(
            Text(column),
            justify="right" if numeric and index else "left",
            no_wrap=numeric,
            overflow="fold",
            min_width=min(longest_word, 12),
        )
    for row in rows:
        view.add_row(*(Text(compact(value)) for value in row))
    return view


def _matrix(entry: Mapping[str, Any]) -> Table:
    values = np.atleast_2d(np.asarray(entry["values"]))
    rows = entry.get("rows")
    cols = entry.get("cols")
    view = Table(
        title=Text(str(entry["title"])) if entry.get("title") else None,
        show_header=cols is not None,
        title_justify="left",
        box=None,
        padding=(0, 1),
        pad_edge=False,
        show_lines=False,
    )
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
    return view


def matrix(data: MatrixData) -> RenderableType:
    return Group(*(_matrix(entry) for entry in data["matrices"]))


def renderable(kind: str, data: Mapping[str, Any] | None) -> RenderableType:
    """The rich renderable for a text view (``table`` or ``matrix``), or a placeholder before any data."""
    if not data:
        return Text("(run the lesson to fill this view)", style="dim")
    view = VIEWS[kind]
    if view.renderer is not Renderer.TEXT:
        raise ValueError(f"{kind} is not a text view")
    render: Callable[[Mapping[str, Any]], RenderableType] = globals()[view.draw]
    return render(data)
