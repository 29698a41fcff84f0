"""The colours: of curves (one per series), of earlier runs, and the ramps rasters shade with."""

from __future__ import annotations

from collections.abc import Sequence

SERIES_COLORS = ("cyan", "orange", "magenta", "green", "red", "blue")
PAST_COLORS = ((120, 120, 120), (150, 150, 110), (110, 140, 160), (160, 120, 150))
DIM = (110, 110, 110)


LEVELS = 24


Color = tuple[int, int, int]


def quantise(t: float) -> float:
    return round(min(max(t, 0.0), 1.0) * (LEVELS - 1)) / (LEVELS - 1)


def heat(t: float) -> Color:
    """Dark blue -> cyan -> yellow -> red for t in [0, 1]."""
    stops = ((30, 40, 120), (40, 150, 200), (230, 220, 80), (220, 50, 40))
    return ramp(stops, t)


def grey(t: float) -> Color:
    return ramp(((40, 40, 40), (255, 255, 255)), t)


def diverging(t: float) -> Color:
    """Negative blue, zero grey, positive red (filters, weights)."""
    return ramp(((40, 80, 230), (70, 70, 70), (230, 60, 40)), t)


def ramp(stops: Sequence[Color], t: float) -> Color:
    t = quantise(t)
    position = t * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    return tuple(int(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1]))  # type: ignore[return-value]


def contrast(color: Color | None) -> Color:
    """Black on light cells, white on dark ones."""
    if color is None:
        return (255, 255, 255)
    luminance = 0.3 * color[0] + 0.59 * color[1] + 0.11 * color[2]
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)
