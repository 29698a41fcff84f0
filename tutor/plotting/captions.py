"""The words around a plot: its title, its legend and colour key, what was clipped.

They are rich ``Text`` lines the renderer shows outside the plot's canvas
(wrapped to its width): plotext drops a title or legend wider than its plot
without a word, and measures wide (CJK) characters wrongly, so no text that may
be long goes through it. A legend shows each mark in its colour and says what
it is, in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from tutor.i18n import _
from tutor.plotting.colours import Color, Colour, Ramp
from tutor.plotting.scales import one_line

Captions = list[Text]


def swatch(mark: str, rgb: Color | None) -> Text:
    return Text(mark, style=Style(color=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})", bold=True) if rgb else "")


def title(text: object) -> Captions:
    """The plot's title as a caption line (none when there is no title)."""
    words = one_line(text)
    return [Text(words, style="bold")] if words else []


def note(text: str) -> Text:
    return Text(one_line(text))


def clip_note(what: str) -> str:
    return _("↕ clipped: {what} goes beyond the plot's range").format(what=what)


def log_scale(name: str) -> str:
    """An axis' or a key's name, saying its scale is logarithmic: "cost (log scale)"."""
    return _("{name} (log scale)").format(name=name)


@dataclass(frozen=True)
class Key:
    """One legend entry: its mark in its colour, and what it stands for."""

    mark: str
    colour: Colour | None
    words: str


def legend(keys: Sequence[Key], *tail: str, heading: str = "") -> Captions:
    """``━ training loss  ━ test loss`` with each mark in its colour; ``tail``: more words after them."""
    parts = [
        Text.assemble(swatch(key.mark, key.colour.rgb if key.colour else None), " ", one_line(key.words))
        for key in keys
        if key.words
    ]
    if heading and parts:
        parts[0] = Text.assemble(Text(heading, style="dim"), " ", parts[0])
    parts += [Text(one_line(words), style="dim") for words in tail if words]
    return [Text("  ").join(parts)] if parts else []


def axes_names(xlabel: object = "", ylabel: object = "") -> str:
    """The axes' names, said once beside the legend: "↑ toxicity  → size"."""
    names = [f"↑ {one_line(ylabel)}" if one_line(ylabel) else "", f"→ {one_line(xlabel)}" if one_line(xlabel) else ""]
    return "  ".join(name for name in names if name)


def colour_key(
    name: str, ramp: Ramp, low: float, high: float, *, log: bool = False, middle: float | None = None
) -> Text:
    """``cost (log scale): ██ 0.0017 dark purple · ██ 0.19 teal · ██ 21 light yellow``."""
    middle = (low + high) / 2
    values = (10**low, 10**middle, 10**high) if log else (low, middle, high)
    parts = [
        Text.assemble(swatch("██", ramp(t)), f" {value:.2g} {_(words)}".rstrip())
        for t, value, words in zip((0.0, 0.5, 1.0), values, ramp.names)
    ]
    shown = log_scale(one_line(name)) if log else one_line(name)
    return Text.assemble(_("{name}: ").format(name=shown), Text(" · ").join(parts))
