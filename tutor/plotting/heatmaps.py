"""The ``heatmaps`` view: small maps (filters, feature maps) side by side, each filling its tile."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from tutor.i18n import _
from tutor.plotting import captions
from tutor.plotting.captions import Captions, swatch
from tutor.plotting.colours import LOW_TO_HIGH, SIGNED, Ramp
from tutor.plotting.raster import Raster, cut, raster_frame, resample
from tutor.plotting.scales import Size
from tutor.views import HeatmapsData, draws


@draws("heatmaps")
def draw_heatmaps(plt: Any, data: HeatmapsData, size: Size) -> Captions:
    """Small maps (filters, feature maps) in a grid, each scaled to fill its tile.

    A map with negative values is shaded blue (negative) - grey (0) - red
    (positive), one without dark (0) to light (its largest value); each on its own scale.
    """
    maps = [
        np.nan_to_num(np.atleast_2d(np.asarray(m.get("values", [[0]]), dtype=float)), nan=0.0, posinf=0.0, neginf=0.0)
        for m in data["maps"]
    ]
    titles = [str(m.get("title", "")) for m in data["maps"]]
    canvas = raster_frame(plt, size)
    cols, rows = canvas.cols, canvas.rows
    lines = captions.title(data.get("title", ""))
    if not maps or cols < 4 or rows < 3:
        return lines
    across = max(1, min(len(maps), int(data.get("columns") or 8)))
    down = -(-len(maps) // across)
    tile_w = cols // across - 1
    tile_h = rows // down - 1  # one row under each tile for its name
    if tile_w < 1 or tile_h < 1:
        return lines + [captions.note(_("(too small to draw the maps: maximise the view)"))]
    raster = Raster(cols, rows)
    used: dict[Ramp, None] = {}
    for index, (values, title) in enumerate(zip(maps, titles)):
        row, column = divmod(index, across)
        h, w = values.shape
        # Square pixels: one column wide, half a row tall.
        zoom = min(tile_w / w, 2 * tile_h / h)
        pixels = resample(values, max(1, round(h * zoom)), max(1, round(w * zoom)))
        signed = float(pixels.min(initial=0.0)) < 0
        peak = float(np.abs(pixels).max(initial=0.0)) or 1.0
        scaled = (pixels / peak + 1) / 2 if signed else pixels / peak
        ramp = SIGNED if signed else LOW_TO_HIGH
        used[ramp] = None
        col = column * (tile_w + 1)
        top = rows - 1 - row * (tile_h + 1)
        raster.image(col, top, scaled, ramp, threshold=0.75 if signed else 0.5)
        name = title if cell_len(title) <= tile_w else (title.split()[-1] if title.split() else "")
        raster.write(col, top - -(-pixels.shape[0] // 2), cut(name, tile_w))
    raster.put(plt)
    return lines + [_key(list(used))]


def _key(ramps: list[Ramp]) -> Text:
    """What the colours mean, each named: every map is scaled to its own largest value."""
    parts = []
    if SIGNED in ramps:
        low, zero, high = map(_, SIGNED.names)
        parts += [
            Text.assemble(swatch("██", SIGNED(0.0)), f" {low} < 0"),
            Text.assemble(swatch("██", SIGNED(0.5)), f" {zero} 0"),
            Text.assemble(swatch("██", SIGNED(1.0)), f" {high} > 0"),
        ]
    if LOW_TO_HIGH in ramps:
        low, high = _(LOW_TO_HIGH.names[0]), _(LOW_TO_HIGH.names[-1])
        parts += [
            Text.assemble(swatch("██", LOW_TO_HIGH(0.0)), f" {low} 0"),
            Text.assemble(swatch("██", LOW_TO_HIGH(1.0)), " " + _("{colour} high").format(colour=high)),
        ]
    return Text.assemble(Text(" · ").join(parts), " " + _("(each map on its own scale)"))
