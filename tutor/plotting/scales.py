"""Axes and ticks: the plot's size, value ranges, linear and log scales, round tick
values and their labels."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.formatting import format_number

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


@dataclass(frozen=True)
class Range:
    low: float
    high: float

    @property
    def span(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class Box:
    x: Range
    y: Range

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= self.x.low) & (x <= self.x.high) & (y >= self.y.low) & (y <= self.y.high)


def valid_range(low: float, high: float) -> Range | None:
    """The range low..high, or None when it is not one a plot can show."""
    if not (math.isfinite(low) and math.isfinite(high)) or high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        return None
    return Range(low, high)


def extent(*arrays: np.ndarray, pad: float = 0.05) -> Range | None:
    """The range of the finite values, ``pad`` of it added on each side (None when there are none)."""
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


# ---------------------------------------------------------------- ticks


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
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) < 50:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value = first + len(ticks) * step
    return ticks


def tick_labels(ticks: Sequence[float]) -> list[str]:
    """Short labels, all with the decimals the spacing needs (0.0 0.5 1.0); never "-0"."""
    if not ticks:
        return []
    spacing = min((abs(b - a) for a, b in zip(ticks, ticks[1:])), default=abs(ticks[0]) or 1.0)
    return [format_number(value, spacing=spacing) for value in ticks]


@dataclass(frozen=True)
class Scale:
    """Linear, or log10: then the plot's coordinates are the values' logarithms."""

    log: bool = False

    def of(self, values: np.ndarray) -> np.ndarray:
        """Values as plot coordinates (NaN where a log scale cannot show them: zero, negative)."""
        if not self.log:
            return values
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)

    def ticks(self, span: Range, count: int, integer: bool = False) -> tuple[list[float], list[str]]:
        """About ``count`` ticks over ``span`` (in plot coordinates) and their labels."""
        if not self.log:
            ticks = nice_ticks(span.low, span.high, count, integer)
            return ticks, tick_labels(ticks)
        return log_ticks(span, count)


LINEAR = Scale()


def log_ticks(span: Range, count: int) -> tuple[list[float], list[str]]:
    """Ticks of a log10 axis: whole decades (every few when there are many), 1-2-5 within
    a few decades, round values inside one decade."""
    low, high = span.low, span.high
    decades = high - low
    if decades < 1:  # inside one decade: round values, placed at their logarithms
        values = [v for v in nice_ticks(10**low, 10**high, max(count, 2)) if v > 0]
        return [math.log10(v) for v in values], tick_labels(values)
    ticks = []
    for multiples in ((1, 2, 5), (1, 3), (1,)):
        ticks = [
            math.log10(m) + k
            for k in range(math.floor(low), math.ceil(high) + 1)
            for m in multiples
            if low - 1e-9 <= math.log10(m) + k <= high + 1e-9
        ]
        if len(ticks) <= count + 1:
            break
    every = max(1, math.ceil(len(ticks) / max(count, 1)))
    ticks = ticks[::every]
    return ticks, [_power(t) for t in ticks]


def _power(exponent: float) -> str:
    """10 ** exponent as a short label: 0.001 .. 10000 in full, 1e-6 or 2e+07 beyond."""
    value = 10.0**exponent
    if 1e-3 <= value < 1e5:
        return f"{value:.3g}" if value < 1 else f"{value:.0f}"
    mantissa, power = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(power)}"


def one_line(text: Any) -> str:
    return " ".join(str(text).split())
