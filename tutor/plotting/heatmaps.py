"""The ``heatmaps`` view: small maps (filters, feature maps) side by side, each filling its tile."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.plotting.colours import diverging, heat
from tutor.plotting.raster import Raster, raster_frame, resample
from tutor.plotting.scales import Size
from tutor.views import HeatmapsData, draws


@draws("heatmaps")
def draw_heatmaps(plt: Any, data: HeatmapsData, size: Size) -> list[str]:
    """Small maps (filters, feature maps) in a grid, each scaled to fill its tile."""
    maps = [
        np.nan_to_num(np.atleast_2d(np.asarray(m.get("values", [[0]]), dtype=float)), nan=0.0, posinf=0.0, neginf=0.0)
        for m in data["maps"]
    ]
    titles = [str(m.get("title", "")) for m in data["maps"]]
    cols, rows, captions = raster_frame(plt, size, data, x=None, y=None)
    if not maps or cols < 4 or rows < 3:
        return captions
    across = max(1, min(len(maps), int(data.get("columns") or 8)))
    down = -(-len(maps) // across)
    tile_w = cols // across - 1
    tile_h = rows // down - 1  # one row under each tile for its name
    if tile_w < 1 or tile_h < 1:
        return captions + ["(too small to draw the maps: maximise the view)"]
    signed = any(float(m.min(initial=0.0)) < 0 for m in maps)
    raster = Raster(cols, rows)
    for index, (values, title) in enumerate(zip(maps, titles)):
        row, column = divmod(index, across)
        h, w = values.shape
        # Square pixels: one column wide, half a row tall.
        zoom = min(tile_w / w, 2 * tile_h / h)
        pixels = resample(values, max(1, round(h * zoom)), max(1, round(w * zoom)))
        peak = float(np.abs(pixels).max(initial=0.0)) or 1.0
        low = float(pixels.min(initial=0.0))
        high = float(pixels.max(initial=1.0))
        scaled = (pixels / peak + 1) / 2 if signed else ((pixels - low) / (high - low) if high > low else 0 * pixels)
        col = column * (tile_w + 1)
        top = rows - 1 - row * (tile_h + 1)
        raster.image(col, top, scaled, diverging if signed else heat, threshold=0.75 if signed else 0.5)
        name = title if len(title) <= tile_w else (title.split()[-1] if title.split() else "")
        raster.write(col, top - -(-pixels.shape[0] // 2), name[:tile_w])
    raster.put(plt)
    return captions + [
        "colour: blue negative · grey 0 · red positive (each map scaled to its own largest value)"
        if signed
        else "colour: dark blue low · red high (each map on its own scale)"
    ]
