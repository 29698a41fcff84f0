"""The ``surface`` view: a value over a 2-D grid as a heat map, with data, a walk and a marker on it."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.plotting.clipping import FARTHEST, clip_polyline, coords, floats, marker_point
from tutor.plotting.colours import contrast, heat
from tutor.plotting.raster import Raster, Shading, raster_frame, resample
from tutor.plotting.scales import Box, Range, Size, extent, number, one_line, valid_range
from tutor.views import SurfaceData, draws

SMALL_SURFACE = 20


@draws("surface")
def draw_surface(plt: Any, data: SurfaceData, size: Size) -> list[str]:
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
    # A small view keeps its rows for the map: the title joins the key in one wrapped caption.
    small = size.height < SMALL_SURFACE
    cols, rows, captions = raster_frame(plt, size, {**data, "title": ""} if small else data, x=x_range, y=y_range)
    if small and one_line(data.get("title", "")):
        captions.append(one_line(data["title"]))
    if cols < 2 or rows < 2:
        return captions
    raster = Raster(cols, rows)
    zlabel = str(data.get("zlabel", "value"))
    shading = Shading.of(z, probability=zlabel.startswith("P("))
    if z.size and len(x) and len(y):
        # Two pixel rows per cell; z's row 0 is the lowest y, the raster's top row comes first.
        pixels = shading.scale(resample(z, rows * 2, cols))[::-1]
        raster.image(0, rows - 1, pixels, heat, threshold=0.5)
        captions.append(shading.key(zlabel))
    box = Box(x_range, y_range)

    def cell(px: float, py: float) -> tuple[int, int]:
        return (
            int(round((px - x_range.low) / x_range.span * (cols - 1))),
            int(round((py - y_range.low) / y_range.span * (rows - 1))),
        )

    notes = []
    markers = "ox+#"
    for index, group in enumerate(groups):
        gx, gy = coords(group.get("x", ())), coords(group.get("y", ()))
        n = min(len(gx), len(gy))
        inside = np.isfinite(gx[:n]) & np.isfinite(gy[:n]) & box.inside(gx[:n], gy[:n])
        for px, py in zip(gx[:n][inside], gy[:n][inside]):
            c, r = cell(px, py)
            raster.set(
                c,
                r,
                markers[index % len(markers)],
                contrast(raster.bg[r][c] or raster.fg[r][c]),
                raster.bg[r][c] or raster.fg[r][c],
            )
        notes.append(f"{markers[index % len(markers)]} {group.get('label', f'group {index + 1}')}")
        if n - inside.sum():
            notes.append(f"({int(n - inside.sum())} outside the plot)")
    path = data.get("path") or {}
    if len(floats(path.get("x", ()))):
        cut = _path(raster, coords(path["x"]), coords(path["y"]), box, cell)
        notes.append("• path ● now" + (" (↕ clipped at the edge)" if cut else ""))
    marker = marker_point(data.get("marker"))
    if marker is not None:
        mx, my = marker
        if box.inside(np.array([mx]), np.array([my]))[0]:
            c, r = cell(mx, my)
            raster.set(c, r, "◆", (255, 40, 40) if not raster.bg[r][c] else contrast(raster.bg[r][c]), raster.bg[r][c])
            notes.append(f"◆ min ({number(mx)}, {number(my)})")
        else:
            notes.append(f"◆ min ({number(mx)}, {number(my)}) is outside the plot")
    raster.put(plt)
    captions += ["  ".join(notes)] if notes else []
    return ["  ·  ".join(captions)] if small and captions else captions


def _path(raster: Raster, px: np.ndarray, py: np.ndarray, box: Box, cell) -> bool:
    """Draw a walk: its steps as dots joined cell by cell, the last one bigger."""
    pieces, clipped = clip_polyline(px, py, box)
    last = None
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
        _mark(raster, *last, "●")
    return clipped


def _mark(raster: Raster, col: int, row: int, char: str) -> None:
    if 0 <= col < raster.cols and 0 <= row < raster.rows:
        under = raster.bg[row][col] or raster.fg[row][col]
        raster.set(col, row, char, contrast(under), under)
