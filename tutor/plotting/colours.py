"""The colours: of curves (one per series, each with a name a key can say), of earlier
runs, and the ramps that images and maps are shaded with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutor.i18n import N_

Color = tuple[int, int, int]


@dataclass(frozen=True)
class Colour:
    """A colour a legend can show (as a swatch) and say (in words)."""

    name: str
    rgb: Color


# Okabe and Ito's colour-blind-safe palette: distinct on dark and light themes alike.
SERIES = (
    Colour("blue", (86, 180, 233)),
    Colour("orange", (230, 159, 0)),
    Colour("green", (0, 158, 115)),
    Colour("pink", (204, 121, 167)),
    Colour("red", (213, 94, 0)),
    Colour("dark blue", (0, 114, 178)),
    Colour("yellow", (240, 228, 66)),
)
PAST = (
    Colour("grey", (120, 120, 120)),
    Colour("olive grey", (150, 150, 110)),
    Colour("blue grey", (110, 140, 160)),
    Colour("mauve grey", (160, 120, 150)),
)
DIM = Colour("grey", (110, 110, 110))
MARK = Colour("red", (255, 40, 40))  # a marked point: the minimum, a blow-up
SELECTED = Colour("yellow", (255, 220, 80))  # the selected image's label

# Colour levels of a raster: few enough that neighbouring cells share a colour
# (one text per run of cells), many enough for smooth shading.
LEVELS = 24


def series(index: int) -> Colour:
    return SERIES[index % len(SERIES)]


def quantise(t: float) -> float:
    return round(min(max(t, 0.0), 1.0) * (LEVELS - 1)) / (LEVELS - 1)


@dataclass(frozen=True)
class Ramp:
    """Colours for values 0..1, and the words that name its ends and middle."""

    stops: tuple[Color, ...]
    names: tuple[str, str, str]  # what 0, 0.5 and 1 look like (marked for the catalogue: translate where shown)

    def __call__(self, t: float) -> Color:
        return ramp(self.stops, t)


# Dark for low, light for high (viridis' ends): a cost map reads "dark = low, light = high".
LOW_TO_HIGH = Ramp(
    ((50, 20, 90), (50, 90, 150), (30, 150, 140), (110, 200, 90), (250, 230, 40)),
    (N_("dark purple"), N_("teal"), N_("light yellow")),
)
# Two classes: blue for one, red for the other, pale where the model is unsure.
TWO_CLASSES = Ramp(((40, 90, 220), (215, 215, 215), (220, 50, 40)), (N_("blue"), N_("pale grey"), N_("red")))
# Signed values (filters, weights): negative blue, zero dark grey, positive red.
SIGNED = Ramp(((40, 80, 230), (70, 70, 70), (230, 60, 40)), (N_("blue"), N_("grey"), N_("red")))
GREY = Ramp(((40, 40, 40), (255, 255, 255)), (N_("black"), N_("grey"), N_("white")))


def ramp(stops: Sequence[Color], t: float) -> Color:
    t = quantise(t)
    position = t * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    a, b = stops[i], stops[i + 1]
    return (int(a[0] + (b[0] - a[0]) * f), int(a[1] + (b[1] - a[1]) * f), int(a[2] + (b[2] - a[2]) * f))


def contrast(color: Color | None) -> Color:
    """Black on light cells, white on dark ones."""
    if color is None:
        return (255, 255, 255)
    luminance = 0.3 * color[0] + 0.59 * color[1] + 0.11 * color[2]
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)
