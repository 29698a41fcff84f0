"""The raster engine: images and maps as terminal cells, two pixels stacked in each.

Each cell is an upper half block "▀" (or a full/lower block) with a foreground
and a background colour, so one cell shows two pixels - double vertical
resolution. plotext draws them as coloured texts on its canvas (its scatter
points have no background colour), with the axes and ticks it draws anyway.
Without colour the block shapes still show which half-cells are high.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from tutor.plotting.captions import colour_key
from tutor.plotting.colours import LOW_TO_HIGH, TWO_CLASSES, Color, Ramp
from tutor.plotting.scales import Range, Size, nice_ticks, tick_labels

ZERO_WIDTH = "\u200b"


def cut(text: str, cells: int) -> str:
    """The longest start of ``text`` that takes at most ``cells`` terminal cells."""
    while cell_len(text) > cells:
        text = text[:-1]
    return text


class Raster:
    """A grid of terminal cells, each a character with a foreground and background colour.

    Row 0 is the bottom row (as plotext counts). ``put`` writes the plot's texts,
    one per run of identical cells, onto a canvas whose limits make one unit one cell.
    """

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = max(cols, 0), max(rows, 0)
        self.chars = [[" "] * self.cols for _ in range(self.rows)]
        self.fg: list[list[Color | None]] = [[None] * self.cols for _ in range(self.rows)]
        self.bg: list[list[Color | None]] = [[None] * self.cols for _ in range(self.rows)]

    def set(self, col: int, row: int, char: str, fg: Color | None = None, bg: Color | None = None) -> None:
        if 0 <= col < self.cols and 0 <= row < self.rows:
            self.chars[row][col], self.fg[row][col], self.bg[row][col] = char, fg, bg

    def write(self, col: int, row: int, text: str, fg: Color | None = None) -> None:
        """Text from cell (col, row) on. A wide character (CJK) takes two cells: plotext gives
        every character one, so the second holds a zero-width space and the row keeps its width."""
        for char in text:
            self.set(col, row, char, fg)
            if cell_len(char) == 2:
                col += 1
                self.set(col, row, ZERO_WIDTH, fg)
            col += 1

    def image(
        self,
        col: int,
        top: int,
        pixels: np.ndarray,
        colormap: Callable[[float], Color],
        threshold: float = 0.5,
        blank: float | None = None,
    ) -> None:
        """Draw ``pixels`` (values 0..1, row 0 at the top) with two pixel rows per cell,
        its top-left corner at cell (col, top). ``blank``: values below it are left empty."""
        height, width = pixels.shape
        for r in range(0, height, 2):
            upper = pixels[r]
            lower = pixels[r + 1] if r + 1 < height else None
            row = top - r // 2
            for c in range(width):
                self._two_pixels(
                    col + c,
                    row,
                    float(upper[c]),
                    None if lower is None else float(lower[c]),
                    colormap,
                    threshold,
                    blank,
                )

    def _two_pixels(
        self,
        col: int,
        row: int,
        upper: float,
        lower: float | None,
        colormap: Callable[[float], Color],
        threshold: float,
        blank: float | None,
    ) -> None:
        """One cell showing two pixels stacked (the lower one missing on an odd last row)."""
        low_half = lower if lower is not None else upper
        if blank is not None and upper < blank and low_half < blank:
            return
        top_color, bottom_color = colormap(upper), colormap(low_half)
        high_top, high_bottom = upper >= threshold, low_half >= threshold
        # The shape says which halves are high (readable without colour): a full
        # block, an empty cell, or a half block on the edge between them, where
        # the edge is drawn at double vertical resolution. The colours say how high.
        if lower is None:
            char, fg, bg = "▀", top_color, None
        elif high_top and high_bottom:
            char, fg, bg = "█", colormap((upper + low_half) / 2), None
        elif high_top:
            char, fg, bg = "▀", top_color, bottom_color
        elif high_bottom:
            char, fg, bg = "▄", bottom_color, top_color
        else:
            char, fg, bg = " ", None, colormap((upper + low_half) / 2)
        if blank is not None:  # on the plain canvas (digits): empty halves show the canvas
            if not high_top and upper < blank:
                char, fg, bg = "▄", bottom_color, None
            elif lower is not None and low_half < blank:
                char, fg, bg = "▀", top_color, None
        self.set(col, row, char, fg, bg)

    def put(self, plt: Any) -> None:
        plt.xlim(0, max(self.cols - 1, 1))
        plt.ylim(0, max(self.rows - 1, 1))
        for row in range(self.rows):
            col = 0
            while col < self.cols:
                if self._blank(row, col):  # the canvas shows through: nothing to draw
                    col += 1
                    continue
                end = col + 1
                while end < self.cols and not self._blank(row, end) and self._style(row, end) == self._style(row, col):
                    end += 1
                fg, bg = self.fg[row][col], self.bg[row][col]
                plt.text(
                    "".join(self.chars[row][col:end]),
                    col,
                    row,
                    color=fg if fg is not None else "default",
                    background=bg,
                    alignment="left",
                )
                col = end

    def _blank(self, row: int, col: int) -> bool:
        return self.chars[row][col] == " " and self.bg[row][col] is None

    def _style(self, row: int, col: int) -> tuple:
        return self.fg[row][col], self.bg[row][col]


def resample(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Nearest-neighbour resampling of a 2-D array to rows x cols."""
    values = np.atleast_2d(values)
    r = np.minimum((np.arange(rows) * values.shape[0] / max(rows, 1)).astype(int), values.shape[0] - 1)
    c = np.minimum((np.arange(cols) * values.shape[1] / max(cols, 1)).astype(int), values.shape[1] - 1)
    return values[np.ix_(r, c)]


@dataclass(frozen=True)
class Shading:
    """How values map to colours (a ramp, over a linear or log range), and the key that says so."""

    low: float
    high: float
    log: bool
    ramp: Ramp

    @staticmethod
    def of(z: np.ndarray, probability: bool) -> Shading:
        finite = z[np.isfinite(z)]
        if probability or finite.size == 0:
            return Shading(0.0, 1.0, False, TWO_CLASSES if probability else LOW_TO_HIGH)
        low, high = float(finite.min()), float(finite.max())
        positive = finite[finite > 0]
        # A cost spans orders of magnitude: on a linear scale the bowl would be one shade.
        if low >= 0 and positive.size and high / float(positive.min()) > 30:
            return Shading(math.log10(float(positive.min())), math.log10(high), True, LOW_TO_HIGH)
        return Shading(low, high, False, LOW_TO_HIGH)

    def scale(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.log10(np.where(z > 0, z, 10.0**self.low)) if self.log else z
            t = (values - self.low) / (self.high - self.low) if self.high > self.low else np.zeros_like(z)
        return np.clip(np.nan_to_num(t, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)

    def key(self, name: str) -> Text:
        """E.g. "cost (log scale): ██ 0.0017 dark purple · ██ 0.19 teal · ██ 21 light yellow"."""
        return colour_key(name, self.ramp, self.low, self.high, log=self.log)


@dataclass(frozen=True)
class Canvas:
    """The cells plotext leaves for a raster: all of them, or what the axes and ticks leave."""

    cols: int
    rows: int
    yticks: list[float]
    ylabels: list[str]

    @staticmethod
    def of(size: Size, x: Range | None, y: Range | None) -> Canvas:
        if x is None and y is None:  # no axes: the raster takes every cell
            return Canvas(size.width, size.height, [], [])
        yticks = nice_ticks(y.low, y.high, max(2, (size.height - 2) // 3)) if y is not None else []
        ylabels = tick_labels(yticks)
        cols = size.width - 1 - max((len(label) for label in ylabels), default=0)
        return Canvas(cols, size.height - 2, yticks, ylabels)


def raster_frame(plt: Any, size: Size, *, x: Range | None = None, y: Range | None = None) -> Canvas:
    """Set up a plot whose canvas is a raster (with the left and lower axes of x and y, if given)."""
    canvas = Canvas.of(size, x, y)
    axes = x is not None or y is not None
    plt.xaxes(axes, False)
    plt.yaxes(axes, False)
    if x is not None and x.span > 0:
        xticks = nice_ticks(x.low, x.high, max(2, canvas.cols // 10))
        plt.xticks([(t - x.low) / x.span * (canvas.cols - 1) for t in xticks], tick_labels(xticks))
    else:
        plt.xticks([])
    if y is not None and y.span > 0:
        plt.yticks([(t - y.low) / y.span * (canvas.rows - 1) for t in canvas.yticks], canvas.ylabels)
    else:
        plt.yticks([])
    return canvas
