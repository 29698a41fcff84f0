"""Curves over data: the ``fit`` view (data and a model's lines), the ``cost`` view (a cost curve, a walk on it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.formatting import format_number
from tutor.i18n import _
from tutor.plotting.captions import Captions, clip_note
from tutor.plotting.chart import Chart
from tutor.plotting.clipping import coords, given_limits, marker_point
from tutor.plotting.colours import MARK, series
from tutor.plotting.scales import Box, Range, Size, extend, extent, valid_range
from tutor.views import CostData, FitData, draws

POINT_MARKS = "•x+◆"


@draws("fit")
def draw_fit(plt: Any, data: FitData, size: Size) -> Captions:
    """Data as points, a model's curves over them; every series its own colour."""
    points = list(data.get("points") or ())
    lines = list(data.get("lines") or ())
    px = [coords(p.get("x", ())) for p in points]
    py = [coords(p.get("y", ())) for p in points]
    lx = [coords(line.get("x", ())) for line in lines]
    ly = [coords(line.get("y", ())) for line in lines]
    # The data decides the ranges; a runaway model curve is cut at the edge.
    x_range = extend(extent(*px) if points else None, *lx) or Range(0, 1)
    y_range = valid_range(*given_limits(data)) or extend(extent(*py) if points else None, *ly) or Range(0, 1)
    chart = Chart(plt, size, Box(x_range, y_range))
    for index, group in enumerate(points):
        label = str(group.get("label", "")) or _("data")
        left_out = chart.points(px[index], py[index], series(index), POINT_MARKS[index % len(POINT_MARKS)], label)
        if left_out:
            chart.notes.append(_("{n} point(s) of {label} outside the plot").format(n=left_out, label=label))
    for index, line in enumerate(lines):
        label = str(line.get("label", ""))
        if chart.line(lx[index], ly[index], series(len(points) + index), label):
            chart.notes.append(clip_note(_("the line {label}").format(label=label).strip()))
    chart.axes()
    return chart.captions(data.get("title", ""), data.get("xlabel", ""), data.get("ylabel", ""))


@draws("cost")
def draw_cost(plt: Any, data: CostData, size: Size) -> Captions:
    """A cost curve over one parameter, the walk taken on it and its lowest point."""
    x, y = coords(data.get("x", ())), coords(data.get("y", ()))
    path = data.get("path") or {}
    path_x, path_y = coords(path.get("x", ())), coords(path.get("y", ()))
    chart = Chart(plt, size, Box(extend(extent(x), path_x) or Range(0, 1), extent(y) or extent(path_y) or Range(0, 1)))
    chart.line(x, y, series(0), str(data.get("ylabel") or _("cost")))
    if len(path_x):
        if chart.line(path_x, path_y, series(1), _("the walk")):
            chart.notes.append(clip_note(_("the walk")))
        now = (path_x[-1:], path_y[-1:])
        where = format_number(float(path_x[-1]))
        chart.points(
            *now, series(1), "●", _("now: {name} = {value}").format(name=data.get("xlabel") or "x", value=where)
        )
    _minimum(chart, data)
    chart.axes()
    return chart.captions(data.get("title", ""), data.get("xlabel", ""), data.get("ylabel", ""))


def _minimum(chart: Chart, data: Mapping[str, Any]) -> None:
    marker = marker_point(data.get("marker"))
    if marker is None:
        return
    where = _("lowest at {name} = {value}").format(name=data.get("xlabel") or "x", value=format_number(marker[0]))
    if chart.points([marker[0]], [marker[1]], MARK, "◆", where):
        chart.notes.append(
            _("the lowest point ({x}, {y}) is outside the plot").format(
                x=format_number(marker[0]), y=format_number(marker[1])
            )
        )
