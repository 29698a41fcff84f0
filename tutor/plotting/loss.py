"""The ``loss`` view: the run's recorded metrics over its steps, earlier runs dimmed beside it.

One axis per kind of quantity: losses (and costs) on the left, accuracies on
the right from 0 to 1, and a legend that says which is which. The left axis is
a log scale when the routine asks for one, or when the losses span more than
``LOG_SPAN`` times their lowest value (the story is then in the tail: on a
linear axis it would lie flat on the zero line).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tutor.formatting import format_number
from tutor.i18n import _
from tutor.plotting.captions import Captions, Key, legend
from tutor.plotting.chart import Chart
from tutor.plotting.clipping import FARTHEST, floats
from tutor.plotting.colours import DIM, MARK, PAST, Colour, series
from tutor.plotting.scales import Box, Range, Scale, Size, extend, extent
from tutor.views import display_name, draws

History = Sequence[Mapping[str, float]]
# Earlier runs: (label, history) pairs; plain histories (no label) are accepted too.
Past = Sequence[Any]

# A value this many times the run's first ones has blown up (a diverged run).
BLOWUP = 1e3
# Losses whose highest is this many times their lowest are drawn on a log scale.
LOG_SPAN = 30.0


def labelled_runs(past: Past) -> list[tuple[str, History]]:
    """Earlier runs as (label, history), whether they came labelled or not."""
    runs = []
    for run in past or ():
        if isinstance(run, tuple) and len(run) == 2 and isinstance(run[0], str):
            runs.append((run[0], run[1]))
        else:
            runs.append(("", run))
    return runs


def _split_metrics(history: History) -> tuple[list[str], list[str]]:
    names: dict[str, None] = {}
    for point in history:
        names.update(dict.fromkeys(k for k in point if k != "step"))
    losses = [n for n in names if "loss" in n or "cost" in n]
    accuracies = [n for n in names if "acc" in n]
    return losses, accuracies


def _words(name: str, names: Sequence[str]) -> str:
    """A metric as a legend says it: "loss" is the training loss when a held-out one is drawn too."""
    words = display_name(name)
    words = words.replace("_", " ") if words == name else words  # not translated: "test accuracy"
    held_out = any(other != name and other.endswith(name) for other in names)
    return _("training {metric}").format(metric=words) if held_out else words


def _series(history: History, name: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(point.get("step"), point[name]) for point in history if name in point]
    steps = floats([p[0] if isinstance(p[0], (int, float)) else np.nan for p in pairs])
    values = floats([v if isinstance(v, (int, float)) else np.nan for _step, v in pairs])
    return steps, values


def envelope(steps: np.ndarray, values: np.ndarray, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about 2 x ``buckets`` points: each bucket's lowest and highest, in order.

    A long run has more epochs than the plot has columns; drawing each costs
    time at every redraw, and the envelope keeps every spike a learner could see.
    """
    n = len(values)
    if n <= 2 * buckets or buckets < 1:
        return steps, values
    edges = np.linspace(0, n, buckets + 1).astype(int)
    keep: set[int] = set()
    for start, end in zip(edges, edges[1:]):
        chunk = values[start:end]
        if chunk.size and np.isfinite(chunk).any():
            keep.update((start + int(np.nanargmin(chunk)), start + int(np.nanargmax(chunk))))
    keep.update((0, n - 1))
    index = np.array(sorted(keep))
    return steps[index], values[index]


def blown_up(values: np.ndarray) -> int | None:
    """Index of the first value that is not finite or ``BLOWUP`` times the run's start, if any."""
    finite = values[np.isfinite(values)]
    start = float(np.max(np.abs(finite[:3]))) if finite.size else 0.0
    limit = BLOWUP * max(start, 1e-12)
    bad = ~np.isfinite(values) | (np.abs(values) > limit)
    return int(np.argmax(bad)) if bad.any() else None


def wants_log(values: Sequence[np.ndarray]) -> bool:
    """Do these losses span enough orders of magnitude that a linear axis would flatten their tail?"""
    finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in values]) if values else np.zeros(0)
    return finite.size > 1 and float(finite.max()) > LOG_SPAN * float(finite.min())


class _Curve:
    """One metric of the current run, cut where it blew up."""

    def __init__(self, history: History, name: str, words: str, colour: Colour, buckets: int) -> None:
        steps, values = _series(history, name)
        self.name, self.words, self.colour = name, words, colour
        self.blowup: tuple[float, float] | None = None
        cut = blown_up(values)
        if cut is not None:
            self.blowup = (float(steps[cut]), float(values[cut]))
            steps, values = steps[:cut], values[:cut]
        self.steps, self.values = envelope(steps, np.where(np.abs(values) <= FARTHEST, values, np.nan), buckets)


@draws("loss")
def draw_loss(
    plt: Any,
    data: Mapping[str, Any],
    size: Size,
    history: History,
    past: list[tuple[str, History]],
    cursor: float | None,
) -> Captions:
    """Losses on the left axis, accuracies on the right; earlier runs dimmed and named."""
    buckets = 2 * size.width  # braille: two dots a cell across
    loss_names, accuracy_names = _split_metrics(history)
    names = loss_names + accuracy_names
    losses = [_Curve(history, n, _words(n, names), series(i), buckets) for i, n in enumerate(loss_names)]
    accuracies = [
        _Curve(history, n, _words(n, names), series(len(losses) + i), buckets) for i, n in enumerate(accuracy_names)
    ]
    earlier = []
    for index, (label, run) in enumerate(past):
        run_losses = _split_metrics(run)[0]
        if run_losses:
            label = label or _("earlier run {n}").format(n=index + 1)
            earlier.append(_Curve(run, run_losses[0], label, PAST[index % len(PAST)], buckets))
    ylog = data.get("ylog")
    xscale, yscale = (
        Scale(bool(data.get("xlog"))),
        Scale(bool(ylog) if ylog is not None else wants_log([c.values for c in losses + earlier])),
    )
    # The axes fit the current run; earlier runs are cut to its steps.
    x_range = extent(*(xscale.of(c.steps) for c in losses + accuracies), pad=0.0)
    if x_range is None:
        x_range = extent(*(xscale.of(c.steps) for c in earlier), pad=0.0) or Range(0, 1)
    if cursor is not None and math.isfinite(cursor):
        at = float(xscale.of(np.array([cursor], dtype=float))[0])
        if math.isfinite(at):
            x_range = Range(min(x_range.low, at), max(x_range.high, at))
    if x_range.span < (0.3 if xscale.log else 1):
        x_range = Range(x_range.low, x_range.low + (0.3 if xscale.log else 1))

    def seen(curve: _Curve) -> np.ndarray:
        x = xscale.of(curve.steps)
        return yscale.of(curve.values)[(x >= x_range.low) & (x <= x_range.high)]

    y_range = extend(extent(*(seen(c) for c in losses)) if losses else None, *(seen(c) for c in earlier))
    chart = Chart(
        plt,
        size,
        Box(x_range, y_range or Range(0, 1)),
        xscale=xscale,
        yscale=yscale,
        right=Range(0.0, 1.0) if accuracies else None,
    )
    for curve in earlier:
        chart.line(curve.steps, curve.values, curve.colour, curve.words)
    earlier_keys, chart.keys = chart.keys, []
    for curve in losses:
        _draw_run(chart, curve, cursor)
    chart.keys += earlier_keys  # the current run first in the legend, drawn over the earlier ones
    for curve in accuracies:
        _draw_run(chart, curve, cursor, right=True)
    if cursor is not None:
        chart.vline(cursor, DIM)
    chart.axes(integer_x=True)
    unit = str(data.get("xlabel") or _("epoch"))
    title = str(data.get("title") or (_("loss and accuracy") if accuracies else _("loss")))
    if not history:
        title += " " + (_("(run the lesson to see it fall)") if not past else _("(earlier runs; run to compare)"))
    if cursor is not None and math.isfinite(cursor):
        title += f" · {unit} {format_number(round(cursor, 2))}"
    measured = _("cost") if loss_names and all("cost" in name for name in loss_names) else _("loss")
    return chart.captions(title, unit, measured if losses or earlier else "") + _blowups(chart, losses)


def _draw_run(chart: Chart, curve: _Curve, cursor: float | None, *, right: bool = False) -> None:
    """The current run's curve: in colour up to the cursor, dimmed after it (a replay)."""
    steps, values = curve.steps, curve.values
    if cursor is None:
        chart.line(steps, values, curve.colour, curve.words, right=right)
        return
    before, after = steps <= cursor, steps >= cursor
    chart.line(steps[after], values[after], DIM, right=right)
    chart.line(steps[before], values[before], curve.colour, curve.words, right=right)
    finite = np.isfinite(values)
    if not right and finite.any() and steps[finite][0] <= cursor <= steps[finite][-1]:
        chart.points([cursor], [np.interp(cursor, steps[finite], values[finite])], curve.colour, "●")


def _blowups(chart: Chart, losses: list[_Curve]) -> Captions:
    """A run that diverged: its finite part is drawn, a ▲ marks where it left, and a line says so."""
    keys = []
    for curve in losses:
        if curve.blowup is None:
            continue
        step, value = curve.blowup
        x = float(np.clip(chart.xscale.of(np.array([step]))[0], chart.box.x.low, chart.box.x.high))
        chart.plt.scatter([x], [chart.box.y.high], marker="▲", color=MARK.rgb)
        words = _("{metric} blew up at step {step} (to {value}): the run diverged; its last finite points are drawn")
        keys.append(
            Key("▲", MARK, words.format(metric=curve.words, step=format_number(step), value=format_number(value)))
        )
    return legend(keys)
