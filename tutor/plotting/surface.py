"""The ``surface`` view: a value over a 2-D grid as a heat map, with data, a walk and a marker on it.

The map fills the view two pixels a cell; its colour key (the colours, the
values they stand for, their names) and the legend of what is drawn on it are
caption lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.text import Text

from tutor.formatting import format_number
from tutor.i18n import _
from tutor.plotting import captions
from tutor.plotting.captions import Captions, Key
from tutor.plotting.clipping import FARTHEST, clip_polyline, coords, floats, marker_point
from tutor.plotting.colours import MARK, contrast
from tutor.plotting.raster import Raster, Shading, raster_frame, resample
from tutor.plotting.scales import Box, Range, Size, extent, valid_range
from tutor.views import SurfaceData, draws

POINT_MARKS = "ox+#"
Cell = Callable[[float, float], tuple[int, int]]


@draws("surface")
def draw_surface(plt: Any, data: SurfaceData, size: Size) -> Captions:
    x, y = coords(data.get("x", ())), coords(data.get("y", ()))
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    z = np.asarray(data.get("z", ()), dtype=float)
    z = np.atleast_2d(np.where(np.abs(z) <= FARTHEST, z, np.nan)) if z.size else np.zeros((0, 0))
    # Before the first model there may be only the data: the grid then spans it.
    groups = list(data.get("points") or ())
    x_range = (
        (valid_range(float(x.min()), float(x.max())) if x.size else None)
        or extent(*(coords(g.get("x", ())) for g in groups))
        or Range(0.0, 1.0)
    )
    y_range = (
        (valid_range(float(y.min()), float(y.max())) if y.size else None)
        or extent(*(coords(g.get("y", ())) for g in groups))
        or Range(0.0, 1.0)
    )
    canvas = raster_frame(plt, size, x=x_range, y=y_range)
    cols, rows = canvas.cols, canvas.rows
    lines = captions.title(data.get("title", ""))
    if cols < 2 or rows < 2:
        return lines
    raster = Raster(cols, rows)
    zlabel = str(data.get("zlabel", _("value")))
    shading = Shading.of(z, probability=zlabel.startswith("P("))
    key: list[Text] = []
    if z.size and len(x) and len(y):
        # Two pixel rows per cell; z's row 0 is the lowest y, the raster's top row comes first.
        pixels = shading.scale(resample(z, rows * 2, cols))[::-1]
        raster.image(0, rows - 1, pixels, shading.ramp, threshold=0.5)
        key.append(shading.key(zlabel))
    box = Box(x_range, y_range)

    def cell(px: float, py: float) -> tuple[int, int]:
        return (
            int(round((px - x_range.low) / x_range.span * (cols - 1))),
            int(round((py - y_range.low) / y_range.span * (rows - 1))),
        )

    keys, notes = _on_the_map(raster, data, groups, box, cell)
    raster.put(plt)
    legend = captions.legend(keys, captions.axes_names(data.get("xlabel", ""), data.get("ylabel", "")), *notes)
    # One paragraph: the renderer wraps it to the view's width, so no row is half empty.
    return lines + [Text("  ").join(key + legend)] if key or legend else lines


def _on_the_map(raster: Raster, data: SurfaceData, groups: list, box: Box, cell: Cell) -> tuple[list[Key], list[str]]:
    """Draw the data's points, the walk and the marker over the map; return their legend and notes."""
    keys, notes = [], []
    for index, group in enumerate(groups):
        mark = POINT_MARKS[index % len(POINT_MARKS)]
        gx, gy = coords(group.get("x", ())), coords(group.get("y", ()))
        n = min(len(gx), len(gy))
        inside = np.isfinite(gx[:n]) & np.isfinite(gy[:n]) & box.inside(gx[:n], gy[:n])
        for px, py in zip(gx[:n][inside], gy[:n][inside]):
            _mark(raster, *cell(px, py), mark)
        keys.append(Key(mark, None, str(group.get("label", _("group {n}").format(n=index + 1)))))
        if n - inside.sum():
            notes.append(_("({n} outside the plot)").format(n=int(n - inside.sum())))
    path = data.get("path") or {}
    if len(floats(path.get("x", ()))):
        cut = _path(raster, coords(path["x"]), coords(path["y"]), box, cell)
        keys.append(Key("•", None, _("the walk, ● now") + (" " + _("(↕ clipped at the edge)") if cut else "")))
    marker = marker_point(data.get("marker"))
    if marker is not None:
        mx, my = marker
        where = _("lowest ({x}, {y})").format(x=format_number(mx), y=format_number(my))
        if box.inside(np.array([mx]), np.array([my]))[0]:
            c, r = cell(mx, my)
            under = raster.bg[r][c]
            raster.set(c, r, "◆", MARK.rgb if not under else contrast(under), under)
            keys.append(Key("◆", MARK, where))
        else:
            notes.append(_("◆ {where} is outside the plot").format(where=where))
    return keys, notes


def _path(raster: Raster, px: np.ndarray, py: np.ndarray, box: Box, cell: Cell) -> bool:
    """Draw a walk: its steps as dots joined cell by cell, the last one bigger."""
    pieces, clipped = clip_polyline(px, py, box)
    last: tuple[int, int] | None = None
    for xs, ys in pieces:
        cells = [cell(a, b) for a, b in zip(xs, ys)]
        for (c0, r0), (c1, r1) in zip(cells, cells[1:]):
            steps = max(abs(c1 - c0), abs(r1 - r0))
            for s in range(1, steps):
                c, r = round(c0 + (c1 - c0) * s / steps), round(r0 + (r1 - r0) * s / steps)
                _mark(raster, c, r, "·")
        for c, r in cells:
            _mark(raster, c, r, "•")
        last = cells[-1] if cells else last
    if last is not None and np.isfinite(px[-1]) and np.isfinite(py[-1]) and box.inside(px[-1:], py[-1:])[0]:
        _mark(raster, last[0], last[1], "●")
    return clipped


def _mark(raster: Raster, col: int, row: int, char: str) -> None:
    if 0 <= col < raster.cols and 0 <= row < raster.rows:
        under = raster.bg[row][col] or raster.fg[row][col]
        raster.set(col, row, char, contrast(under), under)
