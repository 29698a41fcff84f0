"""The ``loss`` view: the run's recorded metrics over its epochs, earlier runs dimmed beside it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tutor.plotting.clipping import FARTHEST, floats, plot_clipped, scatter_clipped
from tutor.plotting.colours import DIM, PAST_COLORS, SERIES_COLORS
from tutor.plotting.scales import Box, Range, Size, extend, extent, number, set_axes, title_or_caption
from tutor.views import draws

History = Sequence[Mapping[str, float]]
# Earlier runs: (label, history) pairs; plain histories (no label) are accepted too.
Past = Sequence[Any]


BLOWUP = 1e3


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


def _series(history: History, name: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(point.get("step"), point[name]) for point in history if name in point]
    steps = floats([p[0] if isinstance(p[0], (int, float)) else np.nan for p in pairs])
    values = floats([v if isinstance(v, (int, float)) else np.nan for _, v in pairs])
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
    keep = set()
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


@draws("loss")
def draw_loss(
    plt: Any, data: Mapping[str, Any], size: Size, history: History, past: list[tuple[str, History]], cursor: int | None
) -> list[str]:
    """Losses on the left axis, accuracies on the right; earlier runs dimmed and labelled."""
    log = bool(data.get("ylog"))
    losses, accuracies = _split_metrics(history)
    captions: list[str] = []
    curves = []  # (steps, values, style) drawn on the left axis
    for index, name in enumerate(losses):
        steps, values = _series(history, name)
        cut = blown_up(values)
        if cut is not None:
            last = values[cut]
            captions.append(
                f"▲ {name} blew up at step {number(steps[cut])} (to {number(float(last))}):"
                " the run diverged; its last finite points are drawn"
            )
            curves.append((steps[cut : cut + 1], None, {"blowup": True}))
            steps, values = steps[:cut], values[:cut]
        steps, values = envelope(steps, values, size.width)
        curves.append((steps, values, {"name": name, "color": SERIES_COLORS[index % len(SERIES_COLORS)]}))
    current_steps = np.concatenate([c[0] for c in curves]) if curves else np.zeros(0)
    # The axes fit the current run; earlier runs are cut to its steps.
    x_range = extent(current_steps, pad=0.0)
    earlier = []
    for index, (label, run) in enumerate(past):
        run_losses, _ = _split_metrics(run)
        if run_losses:
            steps, values = _series(run, run_losses[0])
            cut = blown_up(values)
            if cut is not None:
                steps, values = steps[:cut], values[:cut]
            earlier.append((label, *envelope(steps, values, size.width), PAST_COLORS[index % len(PAST_COLORS)]))
    if x_range is None:
        x_range = extent(*(steps for _, steps, _, _ in earlier), pad=0.0) or Range(0, 1)
    if cursor is not None and math.isfinite(cursor):
        x_range = Range(min(x_range.low, cursor), max(x_range.high, cursor))
    if x_range.span < 1:
        x_range = Range(x_range.low, x_range.low + 1)

    def shown(values: np.ndarray) -> np.ndarray:
        values = np.where(np.abs(values) <= FARTHEST, values, np.nan)
        if not log:
            return values
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)

    in_x = lambda steps: (steps >= x_range.low) & (steps <= x_range.high)  # noqa: E731
    current_values = [shown(v)[in_x(s)] for s, v, style in curves if v is not None]
    earlier_values = [shown(v)[in_x(s)] for _, s, v, _ in earlier]
    y_range = extend(extent(*current_values) if current_values else None, *earlier_values) or Range(0, 1)
    # Room above the curves for the legend, which plotext draws top left: where a loss starts.
    entries = len(earlier) + len(curves) + len(accuracies)
    rows = max(size.height - 6, 1)
    if 0 < entries < rows:
        y_range = Range(y_range.low, y_range.high + y_range.span * entries / (rows - entries))
    box = Box(x_range, y_range)
    # Short names in the legend (it sits over the plot); what each earlier run was, once, in the caption.
    for number_, (_label, steps, values, color) in enumerate(earlier, start=1):
        plot_clipped(plt, steps, shown(values), box, color=color, label=f"earlier {number_}")
    if any(label for label, *_ in earlier):
        captions.append("   ".join(f"earlier {n}: {label or 'a run'}" for n, (label, *_) in enumerate(earlier, 1)))
    for steps, values, style in curves:
        if values is None:
            plt.scatter(
                [float(np.clip(steps[0], x_range.low, x_range.high))],
                [y_range.high],
                marker="▲",
                color="red",
                label="blew up",
            )
            continue
        _draw_run(plt, steps, shown(values), box, style["name"], style["color"], cursor)
    if accuracies:
        _draw_accuracies(plt, history, accuracies, box, size)
    if cursor is not None and box.x.low <= cursor <= box.x.high:
        plt.vline(cursor, "white")
    set_axes(plt, box, size, integer_x=True, log_y=log)
    plt.xlabel("epoch")
    if log:
        plt.ylabel("log scale")
    title = data.get("title") or ("loss and accuracy" if accuracies else "loss")
    if not history:
        title += " (run the lesson to see it fall)" if not past else " (earlier runs; run to compare)"
    if cursor is not None:
        title += f" · epoch {cursor}"
    return title_or_caption(plt, title, size) + captions


def _draw_run(
    plt: Any, steps: np.ndarray, values: np.ndarray, box: Box, name: str, color: Any, cursor: int | None
) -> None:
    """The current run's curve: in colour up to the cursor, dimmed after it (a replay)."""
    if cursor is None:
        plot_clipped(plt, steps, values, box, color=color, label=name)
        return
    before = steps <= cursor
    after = steps >= cursor
    plot_clipped(plt, steps[before], values[before], box, color=color, label=name)
    plot_clipped(plt, steps[after], values[after], box, color=DIM)
    finite = np.isfinite(values)
    if finite.any() and steps[finite][0] <= cursor <= steps[finite][-1]:
        scatter_clipped(plt, [cursor], [np.interp(cursor, steps[finite], values[finite])], box, color=color, marker="●")


def _draw_accuracies(plt: Any, history: History, names: list[str], box: Box, size: Size) -> None:
    right = Box(box.x, Range(0.0, 1.0))
    for index, name in enumerate(names):
        steps, values = envelope(*_series(history, name), size.width)
        plot_clipped(
            plt, steps, values, right, label=name, yside="right", color=SERIES_COLORS[(index + 2) % len(SERIES_COLORS)]
        )
    plt.ylim(0, 1, yside="right")
    plt.yticks([0, 0.5, 1], ["0", "0.5", "1"], yside="right")
