"""Curves over data: the ``fit`` view (data and a model's lines), the ``cost`` view (a cost curve, a walk on it)."""

from __future__ import annotations

from typing import Any

from tutor.plotting.clipping import coords, given_limits, marker_point, plot_clipped, scatter_clipped
from tutor.plotting.colours import SERIES_COLORS
from tutor.plotting.scales import (
    Box,
    Range,
    Size,
    axis_labels,
    clip_note,
    extend,
    extent,
    set_axes,
    title_or_caption,
    valid_range,
)
from tutor.views import CostData, FitData, draws


@draws("fit")
def draw_fit(plt: Any, data: FitData, size: Size) -> list[str]:
    points = list(data.get("points") or ())
    lines = list(data.get("lines") or ())
    px = [coords(p.get("x", ())) for p in points]
    py = [coords(p.get("y", ())) for p in points]
    lx = [coords(line.get("x", ())) for line in lines]
    ly = [coords(line.get("y", ())) for line in lines]
    # The data decides the ranges; a runaway model curve is cut at the edge.
    x_range = extend(extent(*px) if points else None, *lx) or Range(0, 1)
    y_range = valid_range(*given_limits(data)) or extend(extent(*py) if points else None, *ly) or Range(0, 1)
    box = Box(x_range, y_range)
    notes = []
    markers = "•x+◆"
    for index, group in enumerate(points):
        left_out = scatter_clipped(
            plt,
            px[index],
            py[index],
            box,
            marker=markers[index % len(markers)],
            color=SERIES_COLORS[index % len(SERIES_COLORS)],
            label=str(group.get("label", "")) or None,
        )
        if left_out:
            notes.append(f"{left_out} point(s) of {group.get('label', 'the data')} outside the plot")
    for index, line in enumerate(lines):
        color = SERIES_COLORS[(index + len(points)) % len(SERIES_COLORS)]
        if plot_clipped(plt, lx[index], ly[index], box, color=color, label=str(line.get("label", "")) or None):
            notes.append(clip_note(f"the line {line.get('label', '')}".strip()))
    set_axes(plt, box, size)
    axis_labels(plt, data)
    return title_or_caption(plt, data.get("title", ""), size) + notes


@draws("cost")
def draw_cost(plt: Any, data: CostData, size: Size) -> list[str]:
    x, y = coords(data.get("x", ())), coords(data.get("y", ()))
    path = data.get("path") or {}
    path_x, path_y = coords(path.get("x", ())), coords(path.get("y", ()))
    box = Box(extend(extent(x), path_x) or Range(0, 1), extent(y) or extent(path_y) or Range(0, 1))
    notes = []
    plot_clipped(plt, x, y, box, color=SERIES_COLORS[0], label="cost")
    if len(path_x):
        if plot_clipped(plt, path_x, path_y, box, color=SERIES_COLORS[1], marker="•", label="steps"):
            notes.append(clip_note("the walk"))
    marker = marker_point(data.get("marker"))
    if marker is not None:
        mx, my = marker
        if scatter_clipped(plt, [mx], [my], box, color=SERIES_COLORS[4], marker="◆", label="minimum"):
            notes.append("the minimum is outside the plot")
    set_axes(plt, box, size)
    axis_labels(plt, data)
    return title_or_caption(plt, data.get("title", ""), size) + notes
