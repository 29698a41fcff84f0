"""Axes and ticks: the plot's size, value ranges, round tick values and their labels."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_SIZE = (80, 20)


@dataclass(frozen=True)
class Size:
    width: int
    height: int


def size_of(plt: Any, width: int | None, height: int | None) -> Size:
    """The plot's size: as given, else as set on the figure with ``plotsize``, else a default."""
    # plotext keeps its figure in a private attribute; textual-plotext's plt is the figure.
    figure = getattr(getattr(plt, "_core", None), "_figure", plt)
    figure = getattr(figure, "_active", figure)
    width = width or getattr(figure, "_width", None) or DEFAULT_SIZE[0]
    height = height or getattr(figure, "_height", None) or DEFAULT_SIZE[1]
    return Size(int(width), int(height))


def valid_range(low: float, high: float) -> Range | None:
    """The range low..high, or None when it is not one a plot can show."""
    if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        return None
    return Range(low, high)


def nice_ticks(low: float, high: float, count: int, integer: bool = False) -> list[float]:
    """About ``count`` round numbers (1, 2 or 5 times a power of ten) between low and high."""
    if not (math.isfinite(low) and math.isfinite(high)) or count < 1:
        return []
    raw = (high - low) / max(count, 1)
    if not raw > 1e-300:
        return [low]
    step = 10 ** math.floor(math.log10(raw))
    step *= next((m for m in (1, 2, 5, 10) if step * m >= raw), 10)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) < 50:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value = first + len(ticks) * step
    return ticks


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Short labels, as many decimals as the spacing needs; never "-0"."""
    if not ticks:
        return []
    spacing = min((abs(b - a) for a, b in zip(ticks, ticks[1:])), default=abs(ticks[0]) or 1.0)
    return [number(value, spacing) for value in ticks]


def number(value: float, spacing: float | None = None) -> str:
    """A compact number: 60000, 0.25, 1.5e-05, 3e+27; no "-0"."""
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e6 or magnitude < 1e-3):
        text = f"{value:.2g}"
    elif magnitude >= 1000:
        text = f"{value:.0f}"
    elif spacing:
        decimals = max(0, -math.floor(math.log10(spacing) + 1e-9))
        text = f"{value:.{min(decimals, 4)}f}"
    else:
        text = f"{value:.4g}"
    return text.lstrip("-") if text.lstrip("-").strip("0.") == "" else text  # zero has no sign


def _log_label(exponent: float) -> str:
    value = 10.0**exponent
    return number(value) if -2 <= exponent <= 4 else f"1e{int(round(exponent))}"


@dataclass(frozen=True)
class Range:
    low: float
    high: float

    @property
    def span(self) -> float:
        return self.high - self.low


def extent(*arrays: np.ndarray, pad: float = 0.05) -> Range | None:
    values = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.zeros(0)
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        low, high = low - max(0.5, abs(low) * 0.1), high + max(0.5, abs(high) * 0.1)
    margin = (high - low) * pad
    return Range(low - margin, high + margin)


def extend(base: Range | None, *others: np.ndarray) -> Range | None:
    """``base`` grown to show ``others`` as far as one span beyond it on each side."""
    if base is None:
        return extent(*others)
    near = [np.clip(o[np.isfinite(o)], base.low - base.span, base.high + base.span) for o in others]
    grown = extent(np.array([base.low, base.high]), *near, pad=0.0)
    return grown if grown is not None else base


@dataclass(frozen=True)
class Box:
    x: Range
    y: Range

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= self.x.low) & (x <= self.x.high) & (y >= self.y.low) & (y <= self.y.high)


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def title_or_caption(plt: Any, title: str, size: Size) -> list[str]:
    """Put the title inside the plot when it fits there, else return it as a caption line."""
    title = one_line(title)
    if not title:
        return []
    if len(title) <= size.width - 14:  # plotext drops a title wider than its canvas, silently
        plt.title(title)
        return []
    return [title]


def set_axes(
    plt: Any, box: Box, size: Size, *, integer_x: bool = False, integer_y: bool = False, log_y: bool = False
) -> None:
    """Limits and round ticks of a plot over ``box`` (log_y: y holds log10 of the values)."""
    plt.xlim(box.x.low, box.x.high)
    plt.ylim(box.y.low, box.y.high)
    xticks = nice_ticks(box.x.low, box.x.high, max(2, size.width // 12), integer_x)
    plt.xticks(xticks, tick_labels(xticks))
    if log_y and box.y.span >= 1:  # whole decades: 0.01, 0.1, 1, 10
        yticks = nice_ticks(box.y.low, box.y.high, max(2, size.height // 4), integer=True)
        plt.yticks(yticks, [_log_label(t) for t in yticks])
    elif log_y:  # less than a decade: a few values inside it
        yticks = nice_ticks(box.y.low, box.y.high, max(2, size.height // 4))
        plt.yticks(yticks, [f"{10**t:.2g}" for t in yticks])
    else:
        yticks = nice_ticks(box.y.low, box.y.high, max(2, size.height // 4), integer_y)
        plt.yticks(yticks, tick_labels(yticks))


def axis_labels(plt: Any, data: Mapping[str, Any]) -> None:
    if data.get("xlabel"):
        plt.xlabel(str(data["xlabel"]))
    if data.get("ylabel"):
        plt.ylabel(str(data["ylabel"]))


def clip_note(what: str) -> str:
    return f"↕ clipped: {what} goes beyond the plot's range"
