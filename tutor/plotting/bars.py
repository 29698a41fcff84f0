"""The ``bars`` view: one bar per label (probabilities, counts)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tutor.plotting.clipping import coords, given_limits
from tutor.plotting.colours import SERIES_COLORS
from tutor.plotting.scales import Size, axis_labels, clip_note, nice_ticks, tick_labels, title_or_caption, valid_range
from tutor.views import BarsData, draws


@draws("bars")
def draw_bars(plt: Any, data: BarsData, size: Size) -> list[str]:
    labels = [str(label) for label in data["labels"]]
    values = coords(data["values"])[: len(labels)]
    labels = labels[: len(values)]
    finite = values[np.isfinite(values)]
    given = valid_range(*given_limits(data))
    if given is not None:
        low, high = given.low, given.high
    else:
        low, high = min(0.0, float(finite.min(initial=0.0))), max(float(finite.max(initial=1.0)) * 1.1, 1e-9)
    if valid_range(low, high) is None:
        low, high = 0.0, 1.0
    shown = np.clip(np.nan_to_num(values, nan=low, posinf=high, neginf=low), low, high)
    # A bar under half a row is no bar (plotext would fill a whole row for it).
    half_row = (high - low) / max(2 * (size.height - 4), 2)
    shown = np.where(np.abs(shown - min(max(0.0, low), high)) < half_row, 0.0, shown)
    if len(labels):
        # Narrow bars leave a gap between neighbours, so each stays a bar of its own.
        # plotext places the bars and their labels itself (setting xlim or xticks would shift them).
        # A bar takes half its slot when the slot is 4 columns or more, else one column,
        # so neighbours never merge into a block.
        slot = (size.width - 8) / len(labels)
        plt.bar(labels, shown.tolist(), color=SERIES_COLORS[0], width=0.5 if slot >= 4 else 0.01, minimum=low)
    integer = bool(finite.size) and bool(np.all(finite == np.round(finite))) and data.get("ylim") is None
    plt.ylim(low, high)
    yticks = nice_ticks(low, high, max(2, size.height // 4), integer)
    plt.yticks(yticks, tick_labels(yticks))
    axis_labels(plt, data)
    notes = []
    if np.any(values > high) or np.any(values < low) or not np.all(np.isfinite(values)):
        notes.append(clip_note("a bar"))
    return title_or_caption(plt, data.get("title", ""), size) + notes
