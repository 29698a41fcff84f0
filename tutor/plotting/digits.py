"""The ``digits`` view: the selected image large with its top-3, as many others as fit around it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.plotting.colours import grey
from tutor.plotting.raster import Canvas, Raster, raster_frame
from tutor.plotting.scales import Size
from tutor.views import DigitsData, draws

INK, PAPER = 0.4, 0.12


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


def _digit_caption(label: str, guess: str | None) -> str:
    if guess is None or guess == label:
        return label
    return f"✗{guess} ({label})"


@dataclass(frozen=True)
class DigitLayout:
    """Where the selected image, its numbers and the grid of the others go on the canvas."""

    scale: int  # pixels per cell side of the selected image (the grid's are twice that)
    info: list[str]  # the selected image's numbers beside it; [] when there is no room
    info_col: int
    grid_col: int
    across: int  # images per row of the grid
    down: int

    @staticmethod
    def of(shape: tuple[int, int], info: list[str], cols: int, rows: int) -> DigitLayout:
        h, w = shape
        # The largest scale at which the selected image fits with a line under it.
        scale = next((s for s in (1, 2, 3, 4) if -(-w // s) <= cols and -(-h // (2 * s)) + 1 <= rows), 4)
        info_col = -(-w // scale) + 2
        shown = info if cols - info_col >= 12 else []
        grid_col = info_col + (max(len(line) for line in shown) + 2 if shown else 0)
        tile_w, tile_h = -(-w // (2 * scale)), -(-h // (4 * scale))
        return DigitLayout(
            scale,
            shown,
            info_col,
            grid_col,
            across=max((cols - grid_col + 1) // (tile_w + 2), 0),
            down=rows // (tile_h + 1),
        )


def _digits_parts(data: Mapping[str, Any]) -> tuple[np.ndarray, list[str], list[str | None], int]:
    """The images (0..1), true labels, guesses (None without predictions) and the selected index."""
    images = _unit(np.asarray(data["images"]))
    if images.ndim == 2:
        images = images[None]
    labels = [str(label) for label in data["labels"]][: len(images)]
    images = images[: len(labels)]
    predicted = data.get("predicted")
    guesses = [str(p) for p in predicted] if predicted is not None else [None] * len(labels)
    selected = int(data.get("selected") or 0) % len(labels) if labels else 0
    return images, labels, guesses, selected


def digit_grid_columns(data: Mapping[str, Any], width: int, height: int) -> int:
    """How many images a row of the digits view's grid shows at this size: what up and down move by."""
    images, labels, guesses, selected = _digits_parts(data)
    if not labels:
        return 1
    canvas = Canvas.of(Size(width, height), data, None, None)
    info = _selected_info(data, labels, guesses, selected)
    return max(DigitLayout.of(images.shape[1:], info, canvas.cols, canvas.rows).across, 1)


@draws("digits")
def draw_digits(plt: Any, data: DigitsData, size: Size) -> list[str]:
    """The selected image large (one pixel per column, two per row) with its top-3,
    and as many of the others as fit, each at half that size with its label below."""
    images, labels, guesses, selected = _digits_parts(data)
    cols, rows, captions = raster_frame(plt, size, data, x=None, y=None)
    if not labels or cols < 4 or rows < 3:
        return captions
    info = _selected_info(data, labels, guesses, selected)
    layout = DigitLayout.of(images.shape[1:], info, cols, rows)
    raster = Raster(cols, rows)
    big = _shrink(images[selected], layout.scale)
    raster.image(0, rows - 1, big, grey, threshold=INK, blank=PAPER)
    for line_index, line in enumerate(layout.info[:rows]):
        raster.write(layout.info_col, rows - 1 - line_index, line[: cols - layout.info_col])
    under = _digit_caption(labels[selected], guesses[selected])
    raster.write(0, rows - 1 - -(-big.shape[0] // 2), f"#{selected} {under}"[:cols])
    if not layout.info:
        captions.append("   ".join(info))
    _thumbnails(raster, images, labels, guesses, selected, layout)
    raster.put(plt)
    return captions


def _selected_info(data: Mapping[str, Any], labels: list[str], guesses: list[str | None], selected: int) -> list[str]:
    top = data.get("top")
    tops = data.get("tops")
    if tops is not None and selected < len(tops):
        top = tops[selected]
    elif data.get("selected") is not None and int(data["selected"]) != selected:
        top = None
    lines = [f"true {labels[selected]}"]
    if guesses[selected] is not None:
        mark = "✓" if guesses[selected] == labels[selected] else "✗"
        lines.append(f"guess {guesses[selected]} {mark}")
    if top:
        lines.append("top 3:")
        for label, probability in list(top)[:3]:
            p = float(probability) if isinstance(probability, (int, float)) else 0.0
            p = min(max(p, 0.0), 1.0) if math.isfinite(p) else 0.0
            lines.append(f"{str(label):>2} {p:4.0%} {'█' * round(p * 6)}")
    return lines


def _thumbnails(
    raster: Raster, images: np.ndarray, labels: list[str], guesses: list[str | None], selected: int, layout: DigitLayout
) -> None:
    """As many images as fit right of the selected one, in the page that holds it."""
    h, w = images.shape[1:]
    scale = layout.scale * 2
    tile_w, tile_h = -(-w // scale), -(-h // (2 * scale))
    across, left = layout.across, layout.grid_col
    per_page = across * layout.down
    if per_page <= 0:
        return
    first = (selected // per_page) * per_page
    for slot, index in enumerate(range(first, min(first + per_page, len(labels)))):
        row, column = divmod(slot, across)
        col = left + column * (tile_w + 2)
        top = raster.rows - 1 - row * (tile_h + 1)
        raster.image(col, top, _shrink(images[index], scale), grey, threshold=INK, blank=PAPER)
        caption = _digit_caption(labels[index], guesses[index])
        caption = f"[{caption}]" if index == selected else caption
        raster.write(col, top - tile_h, caption[: tile_w + 1], (255, 220, 80) if index == selected else None)
