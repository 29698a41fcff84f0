"""The ``digits`` view: the selected image large with its top-3, as many others as fit beside it.

The selected image is drawn a pixel a column and two a row (a 28x28 digit takes
28 x 14 cells) with its label, the model's guess and its top-3 beside or under
it, whichever leaves room for more of the others. The others are drawn at half
that size, each with its label under it, a page at a time: the page that holds
the selected image. A caption says how many of them are on screen ("6 of 24")
and that the arrow keys bring the rest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from tutor.i18n import _
from tutor.plotting import captions
from tutor.plotting.captions import Captions
from tutor.plotting.colours import GREY, SELECTED
from tutor.plotting.raster import Raster, cut, raster_frame
from tutor.plotting.scales import Size
from tutor.views import DigitsData, draws

# Grey images: a pixel this bright is ink (a block without colour); one darker
# than PAPER is left empty, so the canvas shows through.
INK, PAPER = 0.4, 0.12
GAP = 1  # blank columns between images


def _unit(images: np.ndarray) -> np.ndarray:
    """Pixels as 0..1 (images come as 0..255 or 0..1)."""
    images = np.nan_to_num(np.asarray(images, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(images.max(initial=0.0))
    return np.clip(images / 255.0 if peak > 1.5 else images, 0.0, 1.0)


def _shrink(image: np.ndarray, factor: int) -> np.ndarray:
    """Every ``factor`` x ``factor`` block to its brightest pixel (thin strokes survive)."""
    if factor <= 1:
        return image
    h, w = image.shape
    padded = np.zeros((-(-h // factor) * factor, -(-w // factor) * factor))
    padded[:h, :w] = image
    return padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).max(axis=(1, 3))


def _margin(images: np.ndarray) -> int:
    """How many pixels (0 to 2) around every image are blank: small copies leave them out."""
    for margin in (2, 1):
        if images.shape[1] > 4 * margin and images.shape[2] > 4 * margin:
            inner = np.zeros(images.shape[1:], dtype=bool)
            inner[margin:-margin, margin:-margin] = True
            if float(images[:, ~inner].max(initial=0.0)) < PAPER:
                return margin
    return 0


@dataclass(frozen=True)
class Tiles:
    """A grid of small images: where it starts (left column, top row) and how many fit."""

    col: int
    top: int
    across: int
    down: int

    @property
    def count(self) -> int:
        return self.across * self.down


@dataclass(frozen=True)
class DigitLayout:
    """Where the selected image, its numbers and the grids of the others go on the canvas."""

    big: tuple[int, int]  # the selected image's size in cells (columns, rows)
    scale: int  # pixels per column of the selected image
    info_col: int  # where its numbers start ...
    info_top: int  # ... and on which row (counted from the top)
    beside: bool  # its numbers are beside it (else under it)
    tile: tuple[int, int]  # a small image's cells (columns, rows without its label)
    grids: tuple[Tiles, ...]

    @property
    def count(self) -> int:
        return sum(grid.count for grid in self.grids)

    @property
    def across(self) -> int:
        return self.grids[0].across if self.grids else 1

    @staticmethod
    def of(shape: tuple[int, int], margin: int, info_width: int, info_lines: int, cols: int, rows: int) -> DigitLayout:
        h, w = shape
        # The selected image a pixel a column if it fits with a line to spare, else smaller.
        scale = next((s for s in (1, 2, 3, 4) if -(-w // s) <= cols and -(-h // (2 * s)) + 1 <= rows), 4)
        big_w, big_h = -(-w // scale), -(-h // (2 * scale))
        # The others at half the size, without the blank margin every one of them has.
        tile_w, tile_h = -(-(w - 2 * margin) // (2 * scale)), -(-(h - 2 * margin) // (4 * scale))

        def grid(col: int, top: int, width: int, height: int) -> Tiles:
            across = max((width + GAP) // (tile_w + GAP), 0)
            down = max(height // (tile_h + 1), 0)
            return Tiles(col, top, across, down) if across and down else Tiles(col, top, 0, 0)

        candidates = []
        # Its numbers beside it; the others right of those, and under both if there is room.
        left = big_w + 2 + info_width + 2
        below = max(big_h, info_lines) + 1
        candidates.append(
            DigitLayout(
                big=(big_w, big_h),
                scale=scale,
                info_col=big_w + 2,
                info_top=0,
                beside=True,
                tile=(tile_w, tile_h),
                grids=(grid(left, 0, cols - left, rows), grid(0, below, left - 2, rows - below)),
            )
        )
        # Its numbers under it (two lines as wide as it); the others right of both.
        under = big_h + 2
        candidates.append(
            DigitLayout(
                big=(big_w, big_h),
                scale=scale,
                info_col=0,
                info_top=big_h,
                beside=False,
                tile=(tile_w, tile_h),
                grids=(grid(big_w + GAP, 0, cols - big_w - GAP, rows), grid(0, under + 1, big_w, rows - under - 1)),
            )
        )
        fits = [c for c in candidates if c.beside or big_h + 2 <= rows]
        return max(fits, key=lambda c: (c.count, c.beside))


def _digits_parts(data: Mapping[str, Any]) -> tuple[np.ndarray, list[str], list[str | None], int]:
    """The images (0..1), true labels, guesses (None without predictions) and the selected index."""
    images = _unit(np.asarray(data["images"]))
    if images.ndim == 2:
        images = images[None]
    labels = [str(label) for label in data["labels"]][: len(images)]
    images = images[: len(labels)]
    predicted = data.get("predicted")
    guesses: list[str | None] = [str(p) for p in predicted] if predicted is not None else [None] * len(labels)
    selected = int(data.get("selected") or 0) % len(labels) if labels else 0
    return images, labels, guesses, selected


def _layout(data: Mapping[str, Any], cols: int, rows: int) -> DigitLayout:
    images, labels, guesses, selected = _digits_parts(data)
    info = _selected_info(data, labels, guesses, selected)
    width = max(cell_len(line) for line in info)
    return DigitLayout.of(images.shape[1:], _margin(images), width, len(info), cols, rows)


def digit_grid_columns(data: Mapping[str, Any], width: int, height: int) -> int:
    """How many images a row of the digits view's grid shows at this size: what up and down move by."""
    images, labels, _guesses, _selected = _digits_parts(data)
    if not labels:
        return 1
    return max(_layout(data, width, height).across, 1)


def _heading(data: Mapping[str, Any], labels: list[str], shown: int) -> Captions:
    """The title, and how many of the images are on screen."""
    lines = captions.title(data.get("title", ""))
    count = _("{shown} of {total} on screen · ← → for more").format(shown=shown, total=len(labels))
    count = count if shown < len(labels) else ""
    return lines + ([Text(count, style="dim")] if count else [])


@draws("digits")
def draw_digits(plt: Any, data: DigitsData, size: Size) -> Captions:
    """The selected image large with its top-3, and as many of the others as fit, smaller."""
    images, labels, guesses, selected = _digits_parts(data)
    canvas = raster_frame(plt, size)
    if not labels:
        return captions.title(data.get("title", ""))
    layout = _layout(data, canvas.cols, canvas.rows)
    # The selected image is on the page of small ones too, unless there are none.
    heading = _heading(data, labels, max(layout.count, 1))
    raster = Raster(canvas.cols, canvas.rows)
    if canvas.cols < 4 or canvas.rows < 3:
        return heading
    top = canvas.rows - 1
    big = _shrink(images[selected], layout.scale)
    raster.image(0, top, big, GREY, threshold=INK, blank=PAPER)
    info = _selected_info(data, labels, guesses, selected, None if layout.beside else layout.big[0])
    for index, line in enumerate(info):
        raster.write(layout.info_col, top - layout.info_top - index, cut(line, canvas.cols - layout.info_col))
    _thumbnails(raster, images, labels, guesses, selected, layout)
    raster.put(plt)
    return heading


def _selected_info(
    data: Mapping[str, Any], labels: list[str], guesses: list[str | None], selected: int, width: int | None = None
) -> list[str]:
    """The selected image's number, label, the model's guess and its top-3: a column of
    short lines, or (``width`` given) two lines at most that wide."""
    top = data.get("top")
    tops = data.get("tops")
    if tops is not None and selected < len(tops):
        top = tops[selected]
    elif data.get("selected") is not None and int(data["selected"]) != selected:
        top = None
    best = []
    for label, probability in list(top or [])[:3]:
        p = float(probability) if isinstance(probability, (int, float)) else 0.0
        best.append((str(label), min(max(p, 0.0), 1.0) if math.isfinite(p) else 0.0))
    true, guess = labels[selected], guesses[selected]
    verdict = "" if guess is None else (" ✓" if guess == true else " ✗")
    # Written cell by cell (Raster.write), so a wide (Chinese) character takes its two cells.
    if width is not None:  # under the image: as much as fits on two lines
        first = _("#{number} true {label}").format(number=selected, label=true) + (
            verdict if guess in (None, true) else _(", guess {guess} ✗").format(guess=guess)
        )
        second = _("top 3:")
        for label, p in best:
            if cell_len(f"{second} {p:.0%} {label}") > width:
                break
            second += f" {p:.0%} {label}"
        return [cut(first, width)] + ([second] if best else [])
    lines = [f"#{selected}", _("true {label}").format(label=true)]
    lines += [] if guess is None else [_("guess {guess}").format(guess=guess) + verdict]
    if best:
        lines += ["", _("top 3:")] + [f"{p:4.0%} {'█' * round(p * 6):<6} {label}" for label, p in best]
    return lines


def _thumbnails(
    raster: Raster, images: np.ndarray, labels: list[str], guesses: list[str | None], selected: int, layout: DigitLayout
) -> None:
    """The page of small images that holds the selected one, each with its label under it."""
    per_page = layout.count
    if per_page <= 0 or len(labels) < 2:  # one image: it is the large one
        return
    margin = _margin(images)
    tile_w, tile_h = layout.tile
    first = (selected // per_page) * per_page
    slots = [(grid, index) for grid in layout.grids for index in range(grid.count)]
    for (grid, slot), index in zip(slots, range(first, min(first + per_page, len(labels)))):
        row, column = divmod(slot, grid.across)
        col = grid.col + column * (tile_w + GAP)
        top = raster.rows - 1 - grid.top - row * (tile_h + 1)
        image = images[index]
        if margin:
            image = image[margin:-margin, margin:-margin]
        raster.image(col, top, _shrink(image, 2 * layout.scale), GREY, threshold=INK, blank=PAPER)
        guess = guesses[index]
        caption = labels[index] if guess is None or guess == labels[index] else f"✗{guess} ({labels[index]})"
        if cell_len(caption) > tile_w - 2:  # a long class name: the guess alone (the truth shows when selected)
            caption = f"✗{guess}"
        caption = cut(f"[{caption}]" if index == selected else caption, tile_w)
        centred = col + (tile_w - cell_len(caption)) // 2  # under the middle of its image
        raster.write(centred, top - tile_h, caption, SELECTED.rgb if index == selected else None)
