"""The ``bars`` view: one bar per label (probabilities, counts), drawn across.

Each label is written whole on the left, its bar grows to the right in eighths
of a cell, and its value is written at the bar's end: no label is dropped for
want of room under a narrow bar, and no value has to be read off an axis.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.cells import cell_len

from tutor.formatting import format_number
from tutor.i18n import _
from tutor.plotting import captions
from tutor.plotting.captions import Captions, clip_note
from tutor.plotting.clipping import coords, given_limits
from tutor.plotting.colours import series
from tutor.plotting.raster import Raster, cut, raster_frame
from tutor.plotting.scales import Size, valid_range
from tutor.views import BarsData, draws

EIGHTHS = " ▏▎▍▌▋▊▉"
LONGEST_LABEL = 16


def bar_value(value: float, integer: bool, span: float = 1.0) -> str:
    """A bar's value as written at its end: counts whole, other values to a hundredth of the
    bars' range (0.00 to 1.00 for probabilities: 1e-6 is 0.00, not a number to squint at)."""
    if not math.isfinite(value):
        return str(value)
    decimals = 0 if integer else max(0, 2 - math.floor(math.log10(span))) if span > 0 else 2
    text = f"{value:.{decimals}f}"
    return text.lstrip("-") if text.lstrip("-").strip("0.") == "" else text  # zero has no sign


@draws("bars")
def draw_bars(plt: Any, data: BarsData, size: Size) -> Captions:
    labels = [str(label) for label in data["labels"]]
    values = coords(data["values"])[: len(labels)]
    labels = [cut(label, LONGEST_LABEL) for label in labels[: len(values)]]
    finite = values[np.isfinite(values)]
    given = valid_range(*given_limits(data))
    if given is not None:
        low, high = given.low, given.high
    else:
        low, high = min(0.0, float(finite.min(initial=0.0))), max(float(finite.max(initial=1.0)), 1e-9)
    if valid_range(low, high) is None:
        low, high = 0.0, 1.0
    integer = bool(finite.size) and bool(np.all(finite == np.round(finite))) and data.get("ylim") is None
    canvas = raster_frame(plt, size)
    lines = captions.title(data.get("title", ""))
    names = captions.axes_names(data.get("ylabel", ""))
    scale = _("bars from {low} to {high}").format(low=format_number(low), high=format_number(high))
    bracketed = _("({scale})").format(scale=scale)
    lines.append(captions.note(f"{names}  {bracketed}" if names else bracketed))
    if np.any(values > high) or np.any(values < low) or not np.all(np.isfinite(values)):
        lines.append(captions.note(clip_note(_("a bar"))))
    n, rows = len(labels), canvas.rows
    if not n or rows < 1:
        return lines
    texts = [bar_value(float(v), integer, high - low) for v in values]
    label_w, value_w = max(cell_len(label) for label in labels), max(len(text) for text in texts)
    room = canvas.cols - label_w - value_w - 2
    if room < 2 or rows < n:
        return lines + [captions.note(_("(too small to draw every bar: maximise the view)"))]
    # Thicker bars with a blank row between them when there are rows to spare.
    pitch = min(3, rows // n) if rows >= 2 * n else 1
    thickness = max(1, pitch - 1) if pitch > 1 else 1
    raster = Raster(canvas.cols, rows)
    colour = series(0).rgb
    for index, (label, value, text) in enumerate(zip(labels, values, texts)):
        top = rows - 1 - index * pitch
        shown = float(np.clip(np.nan_to_num(value, nan=low, posinf=high, neginf=low), low, high))
        eighths = round((shown - low) / (high - low) * room * 8)
        bar = "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")
        for row in range(top, top - thickness, -1):
            raster.write(canvas.cols - room - value_w - 1, row, bar, colour)
        middle = top - (thickness - 1) // 2
        raster.write(label_w - cell_len(label), middle, label)
        raster.write(canvas.cols - room - value_w - 1 + len(bar) + 1, middle, text)
    raster.put(plt)
    return lines
