"""A chart: curves and points over a box, drawn with plotext, its words kept outside.

Curves are drawn in braille (2 x 4 dots a cell), points as a mark per cell. Every
coordinate is clipped to the box first; what was cut is said in a caption. The
frame is an L (the left and lower axes): no row or column goes to a top or right
edge unless a right-hand axis needs it. Titles, legends and the axes' names
are captions, never plotext's own text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text

from tutor.i18n import _
from tutor.plotting import captions
from tutor.plotting.captions import Captions, Key, log_scale
from tutor.plotting.clipping import coords, plot_clipped, scatter_clipped
from tutor.plotting.colours import Colour
from tutor.plotting.scales import LINEAR, Box, Range, Scale, Size

# Rows under the canvas: the x axis and its tick labels.
X_AXIS_ROWS = 2


def canvas_rows(size: Size) -> int:
    return max(size.height - X_AXIS_ROWS, 1)


class Chart:
    """One plot over ``box`` (in plot coordinates: a log scale's are logarithms)."""

    def __init__(
        self,
        plt: Any,
        size: Size,
        box: Box,
        *,
        xscale: Scale = LINEAR,
        yscale: Scale = LINEAR,
        right: Range | None = None,
    ) -> None:
        self.plt, self.size, self.box, self.xscale, self.yscale = plt, size, box, xscale, yscale
        self.right = Box(box.x, right) if right is not None else None  # a second y axis, on the right
        self.keys: list[Key] = []
        self.right_keys: list[Key] = []
        self.notes: list[str] = []

    def line(self, x: Any, y: Any, colour: Colour, label: str = "", *, right: bool = False) -> bool:
        """A curve in braille; True when part of it was outside the plot (and cut there)."""
        box = self.right if right and self.right is not None else self.box
        values = coords(y) if right else self.yscale.of(coords(y))
        side = {"yside": "right"} if right else {}
        clipped = plot_clipped(
            self.plt, self.xscale.of(coords(x)), values, box, color=colour.rgb, marker="braille", **side
        )
        if label:
            (self.right_keys if right else self.keys).append(Key("━", colour, label))
        return clipped

    def points(self, x: Any, y: Any, colour: Colour, mark: str = "•", label: str = "") -> int:
        """Points, a mark a cell; returns how many were outside the plot (and left out)."""
        x, y = self.xscale.of(coords(x)), self.yscale.of(coords(y))
        left_out = scatter_clipped(self.plt, x, y, self.box, color=colour.rgb, marker=mark)
        if label:
            self.keys.append(Key(mark, colour, label))
        return left_out

    def vline(self, x: float, colour: Colour) -> None:
        at = float(self.xscale.of(np.array([x], dtype=float))[0])
        if self.box.x.low <= at <= self.box.x.high:
            self.plt.vline(at, colour.rgb)

    def axes(self, *, integer_x: bool = False, integer_y: bool = False) -> None:
        """Limits and round ticks; only the left and lower axes (and the right one if used)."""
        plt, box = self.plt, self.box
        plt.xaxes(True, False)
        plt.yaxes(True, self.right is not None)
        plt.xlim(box.x.low, box.x.high)
        plt.ylim(box.y.low, box.y.high)
        xticks, xlabels = self.xscale.ticks(box.x, max(2, self.size.width // 11), integer_x)
        plt.xticks(xticks, xlabels)
        count = max(2, canvas_rows(self.size) // 3)
        yticks, ylabels = self.yscale.ticks(box.y, count, integer_y)
        plt.yticks(yticks, ylabels)
        if self.right is not None:
            low, high = self.right.y.low, self.right.y.high
            plt.ylim(low, high, yside="right")
            rticks, rlabels = LINEAR.ticks(self.right.y, min(count, 4))
            plt.yticks(rticks, rlabels, yside="right")

    def captions(self, title: object = "", xlabel: object = "", ylabel: object = "") -> Captions:
        """Title, legend (with the axes' names) and notes, as lines for outside the plot."""
        lines = captions.title(title)
        xname = log_scale(str(xlabel)) if self.xscale.log and xlabel else xlabel
        yname = ylabel
        if self.yscale.log and not self.right_keys:
            yname = log_scale(str(ylabel)) if ylabel else _("(log scale)")
        names = captions.axes_names(xname, yname)
        if self.right_keys:  # two axes: the legend says which curves are read on which
            left = captions.legend(self.keys, heading=_("left (log scale):") if self.yscale.log else _("left:"))
            right = captions.legend(self.right_keys, captions.axes_names(xname), heading=_("right:"))
            lines += [Text("  ").join(left + right)]
        else:
            lines += captions.legend(self.keys, names)
        return lines + [captions.note(text) for text in self.notes]


def finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]
