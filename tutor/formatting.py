"""How the tutor writes a number, and a step's figures, for a learner to read.

One set of rules for every place a number is shown - the app, the headless renderer, the
plots' axes and notes, the tables and the exercises' messages:

- a whole number is written whole: 60000, never 6e+04;
- any other to ``digits`` significant digits (4 on screens; 6 in a check's message, where
  two values that differ must not read alike), without an exponent while it fits: 0.002131,
  1235, 12346;
- very large and very small ones in e-notation: 3e+27, 1.5e-05;
- zero has no sign (a "-0" reads as a mistake); nan and inf are themselves.

UI-free and cheap: no NumPy, no Rich (the exercises' worker and the command line use it too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from tutor.views import display_name

WHOLE_LIMIT = 1e15  # beyond it a float's whole part is no longer exact: e-notation


def format_number(value: float, digits: int = 4, *, spacing: float | None = None) -> str:
    """``value`` as a learner reads it (see the module's rules).

    ``spacing`` is for an axis: its ticks are ``spacing`` apart, so every label gets the
    decimals that spacing needs (0.0, 0.5, 1.0), and labels stay short (1e+06, 0.00025).
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if spacing:
        text = _tick_label(value, spacing)
    elif value.is_integer() and magnitude < WHOLE_LIMIT:
        text = str(int(value))
    elif 10 ** (digits - 1) <= magnitude < WHOLE_LIMIT:
        text = f"{value:.0f}"  # 12346, not 1.235e+04: it fits without an exponent
    else:
        text = f"{value:.{digits}g}"
    return text.lstrip("-") if text.lstrip("-").strip("0.") == "" else text


def _tick_label(value: float, spacing: float) -> str:
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e6 or magnitude < 1e-3):
        return f"{value:.2g}"
    if magnitude >= 1000:
        return f"{value:.0f}"
    decimals = max(0, -math.floor(math.log10(abs(spacing)) + 1e-9))
    return f"{value:.{min(decimals, 4)}f}"


def format_metrics(metrics: Mapping[str, float]) -> str:
    """``loss 0.0021  w 1.267``: how both renderers show a step's figures (names in the learner's language)."""
    return "  ".join(f"{display_name(name)} {format_number(value)}" for name, value in metrics.items())
