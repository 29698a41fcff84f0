"""The text views (``table`` and ``matrix``) as rich renderables, for both renderers."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

TEXT_VIEWS = ("table", "matrix")


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)


def table(data: Mapping[str, Any]) -> Table:
    view = Table(title=data.get("title") or None, expand=False, title_justify="left")
    for column in data["columns"]:
        view.add_column(str(column), justify="right" if column != data["columns"][0] else "left")
    for row in data["rows"]:
        view.add_row(*(_cell(value) for value in row))
    return view


def _matrix(entry: Mapping[str, Any]) -> Table:
    values = np.atleast_2d(np.asarray(entry["values"]))
    rows = entry.get("rows")
    cols = entry.get("cols")
    view = Table(title=entry.get("title") or None, show_header=cols is not None, title_justify="left",
                 show_lines=False, pad_edge=False)
    if rows is not None:
        view.add_column("", style="bold")
    for index in range(values.shape[1]):
        view.add_column(str(cols[index]) if cols is not None else "", justify="right")
    integer = np.issubdtype(values.dtype, np.integer)
    largest = values.max() if integer and values.size else 0
    for r, row in enumerate(values):
        cells = []
        for value in row:
            text = Text(str(value) if integer else f"{value:.4g}")
            if integer and largest and value:
                # Counts (a confusion matrix) get brighter as they grow.
                text.stylize("bold" if value >= largest / 2 else "")
            cells.append(text)
        view.add_row(*([str(rows[r])] if rows is not None else []), *cells)
    return view


def matrix(data: Mapping[str, Any]) -> RenderableType:
    return Group(*(_matrix(entry) for entry in data["matrices"]))


def renderable(kind: str, data: Mapping[str, Any] | None) -> RenderableType:
    """The rich renderable for a text view, or a placeholder before any data."""
    if not data:
        return Text("(run the lesson to fill this view)", style="dim")
    return table(data) if kind == "table" else matrix(data)
