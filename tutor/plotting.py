"""Draw a view's data with plotext: shared by the headless renderer and the app.

``draw(plt, kind, data, history, past, width, height, cursor)`` draws onto any
plotext-like object: the ``plotext`` module itself (headless) or a
textual-plotext widget's ``self.plt`` (the app), sized ``width`` x ``height``
characters. The caller clears the figure first and builds it after. It returns
the caption lines that did not fit inside the plot (a long title, a colour key,
what was clipped): the renderer shows them next to the plot, never drops them.
Nothing here computes lesson maths; it only lays data out.

Every number goes through two guards before plotext sees it: it is finite and
inside the plot's limits. plotext joins points cell by cell, so one coordinate
of 1e300 would allocate without bound; what is clipped is said in the caption.

Images and maps (surfaces, digits, filters) are rasters of terminal cells: each
cell is an upper half block "▀" (or a full/lower block) with a foreground and a
background colour, so one cell shows two pixels stacked - double vertical
resolution. plotext draws them as coloured texts on its canvas (its scatter
points have no background colour), with the axes and ticks it draws anyway.
Without colour the block shapes still show which half-cells are high.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tutor.formatting import format_number
from tutor.views import (
    VIEWS,
    BarsData,
    CostData,
    DigitsData,
    FitData,
    HeatmapsData,
    Renderer,
    SurfaceData,
)

History = Sequence[Mapping[str, float]]
# Earlier runs: (label, history) pairs; plain histories (no label) are accepted too.
Past = Sequence[Any]

DEFAULT_SIZE = (80, 20)
# Colours that read well on dark and light themes.
SERIES_COLORS = ("cyan", "orange", "magenta", "green", "red", "blue")
PAST_COLORS = ((120, 120, 120), (150, 150, 110), (110, 140, 160), (160, 120, 150))
DIM = (110, 110, 110)
# A value this many times the run's first ones has blown up (a diverged run).
BLOWUP = 1e3
# Coordinates beyond this are not drawn (and said to be clipped): spans of such
# numbers overflow, and no lesson plots anything this large on purpose.
FARTHEST = 1e15
# Grey images (digits): a pixel this bright is ink (a block without colour); one
# darker than PAPER is left empty, so the canvas shows through.
INK, PAPER = 0.4, 0.12
# Surfaces shorter than this many rows put their title in the caption, with the key.
SMALL_SURFACE = 20
# Colour levels of a raster: few enough that neighbouring cells share a colour
# (one text per run of cells), many enough for smooth shading.
LEVELS = 24


def draw(
    plt: Any,
    kind: str,
    data: Mapping[str, Any] | None,
    history: History = (),
    past: Past = (),
    width: int | None = None,
    height: int | None = None,
    cursor: int | None = None,
) -> list[str]:
    """Draw one view; return the caption lines to show outside the plot (none when all fit).

    ``history`` is the current run's progress ({"step", metric...} per epoch);
    ``past`` earlier runs as (label, history); ``cursor`` the step a replayed run
    is at. They feed the loss view.
    """
    size = _size(plt, width, height)
    data = data or {}
    legend = _LegendGuard(plt, size)
    view = VIEWS.get(kind)
    if view is None or view.renderer is Renderer.TEXT:
        return [f"({kind} is not a plot view)"]
    if view.from_history:
        return draw_loss(legend, data, size, history, labelled_runs(past), cursor) + legend.captions
    drawer: Callable[[Any, Mapping[str, Any], Size], list[str]] = globals()[view.draw]
    if not data:  # before the routine's first report the view is an empty frame
        return []
    return drawer(legend, data, size) + legend.captions


class _LegendGuard:
    """Stands in for ``plt`` and keeps every legend entry short enough to be drawn.

    plotext drops the WHOLE legend, silently, when one label is wider than the
    plot: a long label (``earlier: method=stochastic · loss 0.0013``) is cut
    with "…" in the legend, and said in full in a caption line outside the plot.
    """

    def __init__(self, plt: Any, size: Size) -> None:
        self._plt = plt
        self._room = max(size.width - 16, 6)  # the plot's inner width, less the marker and margins
        self.captions: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plt, name)

    def _short(self, label: Any) -> Any:
        if not label or len(str(label)) <= self._room:
            return label
        self.captions.append(str(label))
        return str(label)[: self._room - 1] + "…"

    def plot(self, *args: Any, label: Any = None, **style: Any) -> Any:
        return self._plt.plot(*args, label=self._short(label), **style)

    def scatter(self, *args: Any, label: Any = None, **style: Any) -> Any:
        return self._plt.scatter(*args, label=self._short(label), **style)


def labelled_runs(past: Past) -> list[tuple[str, History]]:
    """Earlier runs as (label, history), whether they came labelled or not."""
    runs = []
    for run in past or ():
        if isinstance(run, tuple) and len(run) == 2 and isinstance(run[0], str):
            runs.append((run[0], run[1]))
        else:
            runs.append(("", run))
    return runs


@dataclass(frozen=True)
class Size:
    width: int
    height: int


def _size(plt: Any, width: int | None, height: int | None) -> Size:
    """The plot's size: as given, else as set on the figure with ``plotsize``, else a default."""
    # plotext keeps its figure in a private attribute; textual-plotext's plt is the figure.
    figure = getattr(getattr(plt, "_core", None), "_figure", plt)
    figure = getattr(figure, "_active", figure)
    width = width or getattr(figure, "_width", None) or DEFAULT_SIZE[0]
    height = height or getattr(figure, "_height", None) or DEFAULT_SIZE[1]
    return Size(int(width), int(height))


# ---------------------------------------------------------------- numbers


def _floats(values: Any) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return np.zeros(0)


def _coords(values: Any) -> np.ndarray:
    """Values to draw: NaN where not finite or too far out to draw."""
    values = _floats(values)
    return np.where(np.abs(values) <= FARTHEST, values, np.nan)


def _given_limits(data: Mapping[str, Any]) -> tuple[float, float]:
    """The view's ``ylim`` if it sent one (NaN, NaN otherwise)."""
    limits = _coords(data.get("ylim") if data.get("ylim") is not None else ())
    return (float(limits[0]), float(limits[1])) if len(limits) >= 2 else (math.nan, math.nan)


def _point(value: Any) -> tuple[float, float] | None:
    """An (x, y) pair to mark, or None when there is none."""
    pair = _coords(value if value is not None else ())
    return (float(pair[0]), float(pair[1])) if len(pair) >= 2 else None


def _range(low: float, high: float) -> Range | None:
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
    return [format_number(value, spacing=spacing) for value in ticks]


def _log_label(exponent: float) -> str:
    value = 10.0**exponent
    return format_number(value) if -2 <= exponent <= 4 else f"1e{int(round(exponent))}"


@dataclass(frozen=True)
class Range:
    low: float
    high: float

    @property
    def span(self) -> float:
        return self.high - self.low


def _extent(*arrays: np.ndarray, pad: float = 0.05) -> Range | None:
    values = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.zeros(0)
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-9 * max(1.0, abs(low), abs(high)):
        low, high = low - max(0.5, abs(low) * 0.1), high + max(0.5, abs(high) * 0.1)
    margin = (high - low) * pad
    return Range(low - margin, high + margin)


def _extend(base: Range | None, *others: np.ndarray) -> Range | None:
    """``base`` grown to show ``others`` as far as one span beyond it on each side."""
    if base is None:
        return _extent(*others)
    near = [np.clip(o[np.isfinite(o)], base.low - base.span, base.high + base.span) for o in others]
    grown = _extent(np.array([base.low, base.high]), *near, pad=0.0)
    return grown if grown is not None else base


# ---------------------------------------------------------------- clipping


@dataclass(frozen=True)
class Box:
    x: Range
    y: Range

    def inside(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x >= self.x.low) & (x <= self.x.high) & (y >= self.y.low) & (y <= self.y.high)


def clip_polyline(x: np.ndarray, y: np.ndarray, box: Box) -> tuple[list[tuple[list[float], list[float]]], bool]:
    """The pieces of a polyline inside ``box`` (cut at its edges and at non-finite points).

    Returns (pieces, clipped): clipped is True when some of it was outside or not finite.
    """
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    finite = np.isfinite(x) & np.isfinite(y)
    if n and finite.all() and box.inside(x, y).all():  # the usual case, without a Python loop
        return [(x.tolist(), y.tolist())], False
    pieces: list[tuple[list[float], list[float]]] = []
    clipped = not finite.all()
    current: tuple[list[float], list[float]] | None = None
    if n == 1 and finite[0]:
        if box.inside(x, y)[0]:
            return [(x.tolist(), y.tolist())], False
        return [], True
    for i in range(n - 1):
        if not (finite[i] and finite[i + 1]):
            current = None
            continue
        segment = _clip_segment(float(x[i]), float(y[i]), float(x[i + 1]), float(y[i + 1]), box)
        if segment is None:
            clipped, current = True, None
            continue
        (x0, y0), (x1, y1), cut_start, cut_end = segment
        clipped = clipped or cut_start or cut_end
        if current is None or cut_start:
            current = ([x0], [y0])
            pieces.append(current)
        current[0].append(x1)
        current[1].append(y1)
        if cut_end:
            current = None
    return pieces, clipped


def _clip_segment(x0: float, y0: float, x1: float, y1: float, box: Box):
    """Liang-Barsky: the part of a segment inside the box, or None."""
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x.low), (dx, box.x.high - x0), (-dy, y0 - box.y.low), (dy, box.y.high - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if not math.isfinite(t):
            return None
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy), t0 > 0, t1 < 1


def _plot_clipped(plt: Any, x: Any, y: Any, box: Box, **style: Any) -> bool:
    """Plot a polyline cut to the box (one legend entry); True when something was cut."""
    pieces, clipped = clip_polyline(_coords(x), _coords(y), box)
    label = style.pop("label", None)
    for px, py in pieces:
        if len(px) == 1:  # plotext draws no line (and no legend entry) through one point
            plt.scatter(px, py, label=label, **{"marker": "●", **style})
        else:
            plt.plot(px, py, label=label, **style)
        label = None
    return clipped


def _scatter_clipped(plt: Any, x: Any, y: Any, box: Box, **style: Any) -> int:
    """Scatter the points inside the box; return how many were left out."""
    x, y = _coords(x), _coords(y)
    n = min(len(x), len(y))
    x, y = x[:n], y[:n]
    keep = np.isfinite(x) & np.isfinite(y) & box.inside(x, y)
    if keep.any():  # an empty series with a label would break plotext's legend
        plt.scatter(x[keep].tolist(), y[keep].tolist(), **style)
    return int(n - keep.sum())


# ---------------------------------------------------------------- frame


def _one_line(text: Any) -> str:
    return " ".join(str(text).split())


def _title(plt: Any, title: str, size: Size) -> list[str]:
    """Put the title inside the plot when it fits there, else return it as a caption line."""
    title = _one_line(title)
    if not title:
        return []
    if len(title) <= size.width - 14:  # plotext drops a title wider than its canvas, silently
        plt.title(title)
        return []
    return [title]


def _axes(
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


def _axis_labels(plt: Any, data: Mapping[str, Any]) -> None:
    if data.get("xlabel"):
        plt.xlabel(str(data["xlabel"]))
    if data.get("ylabel"):
        plt.ylabel(str(data["ylabel"]))


def _clip_note(what: str) -> str:
    return f"↕ clipped: {what} goes beyond the plot's range"


# ---------------------------------------------------------------- curves


def draw_fit(plt: Any, data: FitData, size: Size) -> list[str]:
    points = list(data.get("points") or ())
    lines = list(data.get("lines") or ())
    px = [_coords(p.get("x", ())) for p in points]
    py = [_coords(p.get("y", ())) for p in points]
    lx = [_coords(line.get("x", ())) for line in lines]
    ly = [_coords(line.get("y", ())) for line in lines]
    # The data decides the ranges; a runaway model curve is cut at the edge.
    x_range = _extend(_extent(*px) if points else None, *lx) or Range(0, 1)
    y_range = _range(*_given_limits(data)) or _extend(_extent(*py) if points else None, *ly) or Range(0, 1)
    box = Box(x_range, y_range)
    notes = []
    markers = "•x+◆"
    for index, group in enumerate(points):
        left_out = _scatter_clipped(
            plt,
            px[index],
            py[index],
            box,
            marker=markers[index % len(markers)],
            color=SERIES_COLORS[index % len(SERIES_COLORS)],
            label=str(group.get("label", "")) or None,
        )
        if left_out:
            notes.append(f"{left_out} point(s) of {group.get('label', 'the data')} outside the plot")
    for index, line in enumerate(lines):
        color = SERIES_COLORS[(index + len(points)) % len(SERIES_COLORS)]
        if _plot_clipped(plt, lx[index], ly[index], box, color=color, label=str(line.get("label", "")) or None):
            notes.append(_clip_note(f"the line {line.get('label', '')}".strip()))
    _axes(plt, box, size)
    _axis_labels(plt, data)
    return _title(plt, data.get("title", ""), size) + notes


def draw_cost(plt: Any, data: CostData, size: Size) -> list[str]:
    x, y = _coords(data.get("x", ())), _coords(data.get("y", ()))
    path = data.get("path") or {}
    path_x, path_y = _coords(path.get("x", ())), _coords(path.get("y", ()))
    box = Box(_extend(_extent(x), path_x) or Range(0, 1), _extent(y) or _extent(path_y) or Range(0, 1))
    notes = []
    _plot_clipped(plt, x, y, box, color=SERIES_COLORS[0], label="cost")
    if len(path_x):
        if _plot_clipped(plt, path_x, path_y, box, color=SERIES_COLORS[1], marker="•", label="steps"):
            notes.append(_clip_note("the walk"))
    marker = _point(data.get("marker"))
    if marker is not None:
        mx, my = marker
        if _scatter_clipped(plt, [mx], [my], box, color=SERIES_COLORS[4], marker="◆", label="minimum"):
            notes.append("the minimum is outside the plot")
    _axes(plt, box, size)
    _axis_labels(plt, data)
    return _title(plt, data.get("title", ""), size) + notes


def draw_bars(plt: Any, data: BarsData, size: Size) -> list[str]:
    labels = [str(label) for label in data["labels"]]
    values = _coords(data["values"])[: len(labels)]
    labels = labels[: len(values)]
    finite = values[np.isfinite(values)]
    given = _range(*_given_limits(data))
    if given is not None:
        low, high = given.low, given.high
    else:
        low, high = min(0.0, float(finite.min(initial=0.0))), max(float(finite.max(initial=1.0)) * 1.1, 1e-9)
    if _range(low, high) is None:
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
    _axis_labels(plt, data)
    notes = []
    if np.any(values > high) or np.any(values < low) or not np.all(np.isfinite(values)):
        notes.append(_clip_note("a bar"))
    return _title(plt, data.get("title", ""), size) + notes


# ---------------------------------------------------------------- loss


def _split_metrics(history: History) -> tuple[list[str], list[str]]:
    names: dict[str, None] = {}
    for point in history:
        names.update(dict.fromkeys(k for k in point if k != "step"))
    losses = [n for n in names if "loss" in n or "cost" in n]
    accuracies = [n for n in names if "acc" in n]
    return losses, accuracies


def _series(history: History, name: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(point.get("step"), point[name]) for point in history if name in point]
    steps = _floats([p[0] if isinstance(p[0], (int, float)) else np.nan for p in pairs])
    values = _floats([v if isinstance(v, (int, float)) else np.nan for _, v in pairs])
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
                f"▲ {name} blew up at step {format_number(steps[cut])} (to {format_number(float(last))}):"
                " the run diverged; its last finite points are drawn"
            )
            curves.append((steps[cut : cut + 1], None, {"blowup": True}))
            steps, values = steps[:cut], values[:cut]
        steps, values = envelope(steps, values, size.width)
        curves.append((steps, values, {"name": name, "color": SERIES_COLORS[index % len(SERIES_COLORS)]}))
    current_steps = np.concatenate([c[0] for c in curves]) if curves else np.zeros(0)
    # The axes fit the current run; earlier runs are cut to its steps.
    x_range = _extent(current_steps, pad=0.0)
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
        x_range = _extent(*(steps for _, steps, _, _ in earlier), pad=0.0) or Range(0, 1)
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
    y_range = _extend(_extent(*current_values) if current_values else None, *earlier_values) or Range(0, 1)
    # Room above the curves for the legend, which plotext draws top left: where a loss starts.
    entries = len(earlier) + len(curves) + len(accuracies)
    rows = max(size.height - 6, 1)
    if 0 < entries < rows:
        y_range = Range(y_range.low, y_range.high + y_range.span * entries / (rows - entries))
    box = Box(x_range, y_range)
    # Short names in the legend (it sits over the plot); what each earlier run was, once, in the caption.
    for number_, (_label, steps, values, color) in enumerate(earlier, start=1):
        _plot_clipped(plt, steps, shown(values), box, color=color, label=f"earlier {number_}")
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
    _axes(plt, box, size, integer_x=True, log_y=log)
    plt.xlabel("epoch")
    if log:
        plt.ylabel("log scale")
    title = data.get("title") or ("loss and accuracy" if accuracies else "loss")
    if not history:
        title += " (run the lesson to see it fall)" if not past else " (earlier runs; run to compare)"
    if cursor is not None:
        title += f" · epoch {cursor}"
    return _title(plt, title, size) + captions


def _draw_run(
    plt: Any, steps: np.ndarray, values: np.ndarray, box: Box, name: str, color: Any, cursor: int | None
) -> None:
    """The current run's curve: in colour up to the cursor, dimmed after it (a replay)."""
    if cursor is None:
        _plot_clipped(plt, steps, values, box, color=color, label=name)
        return
    before = steps <= cursor
    after = steps >= cursor
    _plot_clipped(plt, steps[before], values[before], box, color=color, label=name)
    _plot_clipped(plt, steps[after], values[after], box, color=DIM)
    finite = np.isfinite(values)
    if finite.any() and steps[finite][0] <= cursor <= steps[finite][-1]:
        _scatter_clipped(
            plt, [cursor], [np.interp(cursor, steps[finite], values[finite])], box, color=color, marker="●"
        )


def _draw_accuracies(plt: Any, history: History, names: list[str], box: Box, size: Size) -> None:
    right = Box(box.x, Range(0.0, 1.0))
    for index, name in enumerate(names):
        steps, values = envelope(*_series(history, name), size.width)
        _plot_clipped(
            plt, steps, values, right, label=name, yside="right", color=SERIES_COLORS[(index + 2) % len(SERIES_COLORS)]
        )
    plt.ylim(0, 1, yside="right")
    plt.yticks([0, 0.5, 1], ["0", "0.5", "1"], yside="right")


# ---------------------------------------------------------------- rasters


Color = tuple[int, int, int]


class Raster:
    """A grid of terminal cells, each a character with a foreground and background colour.

    Row 0 is the bottom row (as plotext counts). ``put`` writes the plot's texts,
    one per run of identical cells, onto a canvas whose limits make one unit one cell.
    """

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = max(cols, 0), max(rows, 0)
        self.chars = [[" "] * self.cols for _ in range(self.rows)]
        self.fg: list[list[Color | None]] = [[None] * self.cols for _ in range(self.rows)]
        self.bg: list[list[Color | None]] = [[None] * self.cols for _ in range(self.rows)]

    def set(self, col: int, row: int, char: str, fg: Color | None = None, bg: Color | None = None) -> None:
        if 0 <= col < self.cols and 0 <= row < self.rows:
            self.chars[row][col], self.fg[row][col], self.bg[row][col] = char, fg, bg

    def write(self, col: int, row: int, text: str, fg: Color | None = None) -> None:
        for offset, char in enumerate(text):
            self.set(col + offset, row, char, fg)

    def image(
        self,
        col: int,
        top: int,
        pixels: np.ndarray,
        colormap: Callable[[float], Color],
        threshold: float = 0.5,
        blank: float | None = None,
    ) -> None:
        """Draw ``pixels`` (values 0..1, row 0 at the top) with two pixel rows per cell,
        its top-left corner at cell (col, top). ``blank``: values below it are left empty."""
        height, width = pixels.shape
        for r in range(0, height, 2):
            upper = pixels[r]
            lower = pixels[r + 1] if r + 1 < height else None
            row = top - r // 2
            for c in range(width):
                self._two_pixels(
                    col + c,
                    row,
                    float(upper[c]),
                    None if lower is None else float(lower[c]),
                    colormap,
                    threshold,
                    blank,
                )

    def _two_pixels(
        self,
        col: int,
        row: int,
        upper: float,
        lower: float | None,
        colormap: Callable[[float], Color],
        threshold: float,
        blank: float | None,
    ) -> None:
        """One cell showing two pixels stacked (the lower one missing on an odd last row)."""
        low_half = lower if lower is not None else upper
        if blank is not None and upper < blank and low_half < blank:
            return
        top_color, bottom_color = colormap(upper), colormap(low_half)
        high_top, high_bottom = upper >= threshold, low_half >= threshold
        # The shape says which halves are high (readable without colour): a full
        # block, an empty cell, or a half block on the edge between them, where
        # the edge is drawn at double vertical resolution. The colours say how high.
        if lower is None:
            char, fg, bg = "▀", top_color, None
        elif high_top and high_bottom:
            char, fg, bg = "█", colormap((upper + low_half) / 2), None
        elif high_top:
            char, fg, bg = "▀", top_color, bottom_color
        elif high_bottom:
            char, fg, bg = "▄", bottom_color, top_color
        else:
            char, fg, bg = " ", None, colormap((upper + low_half) / 2)
        if blank is not None:  # on the plain canvas (digits): empty halves show the canvas
            if not high_top and upper < blank:
                char, fg, bg = "▄", bottom_color, None
            elif lower is not None and low_half < blank:
                char, fg, bg = "▀", top_color, None
        self.set(col, row, char, fg, bg)

    def put(self, plt: Any) -> None:
        plt.xlim(0, max(self.cols - 1, 1))
        plt.ylim(0, max(self.rows - 1, 1))
        for row in range(self.rows):
            col = 0
            while col < self.cols:
                if self._blank(row, col):  # the canvas shows through: nothing to draw
                    col += 1
                    continue
                end = col + 1
                while end < self.cols and not self._blank(row, end) and self._style(row, end) == self._style(row, col):
                    end += 1
                fg, bg = self.fg[row][col], self.bg[row][col]
                plt.text(
                    "".join(self.chars[row][col:end]),
                    col,
                    row,
                    color=fg if fg is not None else "default",
                    background=bg,
                    alignment="left",
                )
                col = end

    def _blank(self, row: int, col: int) -> bool:
        return self.chars[row][col] == " " and self.bg[row][col] is None

    def _style(self, row: int, col: int) -> tuple:
        return self.fg[row][col], self.bg[row][col]


def _quantise(t: float) -> float:
    return round(min(max(t, 0.0), 1.0) * (LEVELS - 1)) / (LEVELS - 1)


def heat(t: float) -> Color:
    """Dark blue -> cyan -> yellow -> red for t in [0, 1]."""
    stops = ((30, 40, 120), (40, 150, 200), (230, 220, 80), (220, 50, 40))
    return _ramp(stops, t)


def grey(t: float) -> Color:
    return _ramp(((40, 40, 40), (255, 255, 255)), t)


def diverging(t: float) -> Color:
    """Negative blue, zero grey, positive red (filters, weights)."""
    return _ramp(((40, 80, 230), (70, 70, 70), (230, 60, 40)), t)


def _ramp(stops: Sequence[Color], t: float) -> Color:
    t = _quantise(t)
    position = t * (len(stops) - 1)
    i = min(int(position), len(stops) - 2)
    f = position - i
    return tuple(int(a + (b - a) * f) for a, b in zip(stops[i], stops[i + 1]))  # type: ignore[return-value]


def _contrast(color: Color | None) -> Color:
    """Black on light cells, white on dark ones."""
    if color is None:
        return (255, 255, 255)
    luminance = 0.3 * color[0] + 0.59 * color[1] + 0.11 * color[2]
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)


def _resample(values: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Nearest-neighbour resampling of a 2-D array to rows x cols."""
    values = np.atleast_2d(values)
    r = np.minimum((np.arange(rows) * values.shape[0] / max(rows, 1)).astype(int), values.shape[0] - 1)
    c = np.minimum((np.arange(cols) * values.shape[1] / max(cols, 1)).astype(int), values.shape[1] - 1)
    return values[np.ix_(r, c)]


@dataclass(frozen=True)
class Shading:
    """How values map to colours, and the key that says so."""

    low: float
    high: float
    log: bool

    @staticmethod
    def of(z: np.ndarray, probability: bool) -> Shading:
        finite = z[np.isfinite(z)]
        if probability or finite.size == 0:
            return Shading(0.0, 1.0, False)
        low, high = float(finite.min()), float(finite.max())
        positive = finite[finite > 0]
        # A cost spans orders of magnitude: on a linear scale the bowl would be one shade.
        if low >= 0 and positive.size and high / float(positive.min()) > 30:
            return Shading(math.log10(float(positive.min())), math.log10(high), True)
        return Shading(low, high, False)

    def scale(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.log10(np.where(z > 0, z, 10.0**self.low)) if self.log else z
            t = (values - self.low) / (self.high - self.low) if self.high > self.low else np.zeros_like(z)
        return np.clip(np.nan_to_num(t, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)

    def key(self, name: str) -> str:
        """E.g. "cost (log): blue 0.0017 · yellow 0.19 · red 21"; short, so it fits small views."""
        ends = (self.low, (self.low + self.high) / 2, self.high)
        low, middle, high = (10**v for v in ends) if self.log else ends
        scale = " (log)" if self.log else ""
        return f"{name}{scale}: blue {low:.2g} · yellow {middle:.2g} · red {high:.2g}"


@dataclass(frozen=True)
class Canvas:
    """The cells plotext leaves for a raster inside its frame, ticks, title and labels."""

    cols: int
    rows: int
    title_inside: bool
    yticks: list[float]
    ylabels: list[str]

    @staticmethod
    def of(size: Size, data: Mapping[str, Any], x: Range | None, y: Range | None) -> Canvas:
        yticks = nice_ticks(y.low, y.high, max(2, (size.height - 5) // 4)) if y is not None else []
        ylabels = tick_labels(yticks)
        cols = size.width - 2 - max((len(label) for label in ylabels), default=0)
        title = _one_line(data.get("title", ""))
        title_inside = bool(title) and len(title) <= cols - 2
        lowbar = bool(data.get("xlabel") or data.get("ylabel"))
        rows = size.height - 2 - (1 if x is not None else 0) - int(title_inside) - int(lowbar)
        return Canvas(cols, rows, title_inside, yticks, ylabels)


def _raster_frame(
    plt: Any, size: Size, data: Mapping[str, Any], *, x: Range | None, y: Range | None
) -> tuple[int, int, list[str]]:
    """Set up a plot whose canvas is a raster; return its (cols, rows) and the caption lines."""
    canvas = Canvas.of(size, data, x, y)
    cols, rows = canvas.cols, canvas.rows
    title = _one_line(data.get("title", ""))
    captions = [] if canvas.title_inside or not title else [title]
    if canvas.title_inside:
        plt.title(title)
    _axis_labels(plt, data)
    if x is not None and x.span > 0:
        xticks = nice_ticks(x.low, x.high, max(2, cols // 10))
        plt.xticks([(t - x.low) / x.span * (cols - 1) for t in xticks], tick_labels(xticks))
    else:
        plt.xticks([])
    if y is not None and y.span > 0:
        plt.yticks([(t - y.low) / y.span * (rows - 1) for t in canvas.yticks], canvas.ylabels)
    else:
        plt.yticks([])
    return cols, rows, captions


def draw_surface(plt: Any, data: SurfaceData, size: Size) -> list[str]:
    x, y = _coords(data.get("x", ())), _coords(data.get("y", ()))
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    z = np.asarray(data.get("z", ()), dtype=float)
    z = np.atleast_2d(np.where(np.abs(z) <= FARTHEST, z, np.nan)) if z.size else np.zeros((0, 0))
    # Before the first model there may be only the data: the grid then spans it.
    groups = list(data.get("points") or ())
    x_range = (
        (_range(float(x.min()), float(x.max())) if x.size else None)
        or _extent(*(_coords(g.get("x", ())) for g in groups))
        or Range(0.0, 1.0)
    )
    y_range = (
        (_range(float(y.min()), float(y.max())) if y.size else None)
        or _extent(*(_coords(g.get("y", ())) for g in groups))
        or Range(0.0, 1.0)
    )
    # A small view keeps its rows for the map: the title joins the key in one wrapped caption.
    small = size.height < SMALL_SURFACE
    cols, rows, captions = _raster_frame(plt, size, {**data, "title": ""} if small else data, x=x_range, y=y_range)
    if small and _one_line(data.get("title", "")):
        captions.append(_one_line(data["title"]))
    if cols < 2 or rows < 2:
        return captions
    raster = Raster(cols, rows)
    zlabel = str(data.get("zlabel", "value"))
    shading = Shading.of(z, probability=zlabel.startswith("P("))
    if z.size and len(x) and len(y):
        # Two pixel rows per cell; z's row 0 is the lowest y, the raster's top row comes first.
        pixels = shading.scale(_resample(z, rows * 2, cols))[::-1]
        raster.image(0, rows - 1, pixels, heat, threshold=0.5)
        captions.append(shading.key(zlabel))
    box = Box(x_range, y_range)

    def cell(px: float, py: float) -> tuple[int, int]:
        return (
            int(round((px - x_range.low) / x_range.span * (cols - 1))),
            int(round((py - y_range.low) / y_range.span * (rows - 1))),
        )

    notes = []
    markers = "ox+#"
    for index, group in enumerate(groups):
        gx, gy = _coords(group.get("x", ())), _coords(group.get("y", ()))
        n = min(len(gx), len(gy))
        inside = np.isfinite(gx[:n]) & np.isfinite(gy[:n]) & box.inside(gx[:n], gy[:n])
        for px, py in zip(gx[:n][inside], gy[:n][inside]):
            c, r = cell(px, py)
            raster.set(
                c,
                r,
                markers[index % len(markers)],
                _contrast(raster.bg[r][c] or raster.fg[r][c]),
                raster.bg[r][c] or raster.fg[r][c],
            )
        notes.append(f"{markers[index % len(markers)]} {group.get('label', f'group {index + 1}')}")
        if n - inside.sum():
            notes.append(f"({int(n - inside.sum())} outside the plot)")
    path = data.get("path") or {}
    if len(_floats(path.get("x", ()))):
        cut = _path(raster, _coords(path["x"]), _coords(path["y"]), box, cell)
        notes.append("• path ● now" + (" (↕ clipped at the edge)" if cut else ""))
    marker = _point(data.get("marker"))
    if marker is not None:
        mx, my = marker
        if box.inside(np.array([mx]), np.array([my]))[0]:
            c, r = cell(mx, my)
            raster.set(c, r, "◆", (255, 40, 40) if not raster.bg[r][c] else _contrast(raster.bg[r][c]), raster.bg[r][c])
            notes.append(f"◆ min ({format_number(mx)}, {format_number(my)})")
        else:
            notes.append(f"◆ min ({format_number(mx)}, {format_number(my)}) is outside the plot")
    raster.put(plt)
    captions += ["  ".join(notes)] if notes else []
    return ["  ·  ".join(captions)] if small and captions else captions


def _path(raster: Raster, px: np.ndarray, py: np.ndarray, box: Box, cell) -> bool:
    """Draw a walk: its steps as dots joined cell by cell, the last one bigger."""
    pieces, clipped = clip_polyline(px, py, box)
    last = None
    for xs, ys in pieces:
        cells = [cell(a, b) for a, b in zip(xs, ys)]
        for (c0, r0), (c1, r1) in zip(cells, cells[1:]):
            steps = max(abs(c1 - c0), abs(r1 - r0))
            for s in range(1, steps):
                c, r = round(c0 + (c1 - c0) * s / steps), round(r0 + (r1 - r0) * s / steps)
                _mark(raster, c, r, "·")
        for c, r in cells:
            _mark(raster, c, r, "•")
        last = cells[-1] if cells else last
    if last is not None and np.isfinite(px[-1]) and np.isfinite(py[-1]) and box.inside(px[-1:], py[-1:])[0]:
        _mark(raster, *last, "●")
    return clipped


def _mark(raster: Raster, col: int, row: int, char: str) -> None:
    if 0 <= col < raster.cols and 0 <= row < raster.rows:
        under = raster.bg[row][col] or raster.fg[row][col]
        raster.set(col, row, char, _contrast(under), under)


# ---------------------------------------------------------------- digits and maps


def _unit(images: np.ndarray) -> np.ndarray:
    """Pixels as 0..1 (images come as 0..255 or 0..1)."""
    images = np.nan_to_num(np.asarray(images, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    peak = float(images.max(initial=0.0))
    return np.clip(images / 255.0 if peak > 1.5 else images, 0.0, 1.0)


def _shrink(image: np.ndarray, factor: int) -> np.ndarray:
    """Every ``factor`` x ``factor`` block to its brightest pixel (thin strokes survive)."""
    if factor <= 1:
        return image
    h, w = image.shape
    padded = np.zeros((-(-h // factor) * factor, -(-w // factor) * factor))
    padded[:h, :w] = image
    return padded.reshape(padded.shape[0] // factor, factor, padded.shape[1] // factor, factor).max(axis=(1, 3))


def _digit_caption(label: str, guess: str | None) -> str:
    if guess is None or guess == label:
        return label
    return f"✗{guess} ({label})"


@dataclass(frozen=True)
class DigitLayout:
    """Where the selected image, its numbers and the grid of the others go on the canvas."""

    scale: int  # pixels per cell side of the selected image (the grid's are twice that)
    info: list[str]  # the selected image's numbers beside it; [] when there is no room
    info_col: int
    grid_col: int
    across: int  # images per row of the grid
    down: int

    @staticmethod
    def of(shape: tuple[int, int], info: list[str], cols: int, rows: int) -> DigitLayout:
        h, w = shape
        # The largest scale at which the selected image fits with a line under it.
        scale = next((s for s in (1, 2, 3, 4) if -(-w // s) <= cols and -(-h // (2 * s)) + 1 <= rows), 4)
        info_col = -(-w // scale) + 2
        shown = info if cols - info_col >= 12 else []
        grid_col = info_col + (max(len(line) for line in shown) + 2 if shown else 0)
        tile_w, tile_h = -(-w // (2 * scale)), -(-h // (4 * scale))
        return DigitLayout(
            scale,
            shown,
            info_col,
            grid_col,
            across=max((cols - grid_col + 1) // (tile_w + 2), 0),
            down=rows // (tile_h + 1),
        )


def _digits_parts(data: Mapping[str, Any]) -> tuple[np.ndarray, list[str], list[str | None], int]:
    """The images (0..1), true labels, guesses (None without predictions) and the selected index."""
    images = _unit(np.asarray(data["images"]))
    if images.ndim == 2:
        images = images[None]
    labels = [str(label) for label in data["labels"]][: len(images)]
    images = images[: len(labels)]
    predicted = data.get("predicted")
    guesses = [str(p) for p in predicted] if predicted is not None else [None] * len(labels)
    selected = int(data.get("selected") or 0) % len(labels) if labels else 0
    return images, labels, guesses, selected


def digit_grid_columns(data: Mapping[str, Any], width: int, height: int) -> int:
    """How many images a row of the digits view's grid shows at this size: what up and down move by."""
    images, labels, guesses, selected = _digits_parts(data)
    if not labels:
        return 1
    canvas = Canvas.of(Size(width, height), data, None, None)
    info = _selected_info(data, labels, guesses, selected)
    return max(DigitLayout.of(images.shape[1:], info, canvas.cols, canvas.rows).across, 1)


def draw_digits(plt: Any, data: DigitsData, size: Size) -> list[str]:
    """The selected image large (one pixel per column, two per row) with its top-3,
    and as many of the others as fit, each at half that size with its label below."""
    images, labels, guesses, selected = _digits_parts(data)
    cols, rows, captions = _raster_frame(plt, size, data, x=None, y=None)
    if not labels or cols < 4 or rows < 3:
        return captions
    info = _selected_info(data, labels, guesses, selected)
    layout = DigitLayout.of(images.shape[1:], info, cols, rows)
    raster = Raster(cols, rows)
    big = _shrink(images[selected], layout.scale)
    raster.image(0, rows - 1, big, grey, threshold=INK, blank=PAPER)
    for line_index, line in enumerate(layout.info[:rows]):
        raster.write(layout.info_col, rows - 1 - line_index, line[: cols - layout.info_col])
    under = _digit_caption(labels[selected], guesses[selected])
    raster.write(0, rows - 1 - -(-big.shape[0] // 2), f"#{selected} {under}"[:cols])
    if not layout.info:
        captions.append("   ".join(info))
    _thumbnails(raster, images, labels, guesses, selected, layout)
    raster.put(plt)
    return captions


def _selected_info(data: Mapping[str, Any], labels: list[str], guesses: list[str | None], selected: int) -> list[str]:
    top = data.get("top")
    tops = data.get("tops")
    if tops is not None and selected < len(tops):
        top = tops[selected]
    elif data.get("selected") is not None and int(data["selected"]) != selected:
        top = None
    lines = [f"true {labels[selected]}"]
    if guesses[selected] is not None:
        mark = "✓" if guesses[selected] == labels[selected] else "✗"
        lines.append(f"guess {guesses[selected]} {mark}")
    if top:
        lines.append("top 3:")
        for label, probability in list(top)[:3]:
            p = float(probability) if isinstance(probability, (int, float)) else 0.0
            p = min(max(p, 0.0), 1.0) if math.isfinite(p) else 0.0
            lines.append(f"{str(label):>2} {p:4.0%} {'█' * round(p * 6)}")
    return lines


def _thumbnails(
    raster: Raster, images: np.ndarray, labels: list[str], guesses: list[str | None], selected: int, layout: DigitLayout
) -> None:
    """As many images as fit right of the selected one, in the page that holds it."""
    h, w = images.shape[1:]
    scale = layout.scale * 2
    tile_w, tile_h = -(-w // scale), -(-h // (2 * scale))
    across, left = layout.across, layout.grid_col
    per_page = across * layout.down
    if per_page <= 0:
        return
    first = (selected // per_page) * per_page
    for slot, index in enumerate(range(first, min(first + per_page, len(labels)))):
        row, column = divmod(slot, across)
        col = left + column * (tile_w + 2)
        top = raster.rows - 1 - row * (tile_h + 1)
        raster.image(col, top, _shrink(images[index], scale), grey, threshold=INK, blank=PAPER)
        caption = _digit_caption(labels[index], guesses[index])
        caption = f"[{caption}]" if index == selected else caption
        raster.write(col, top - tile_h, caption[: tile_w + 1], (255, 220, 80) if index == selected else None)


def draw_heatmaps(plt: Any, data: HeatmapsData, size: Size) -> list[str]:
    """Small maps (filters, feature maps) in a grid, each scaled to fill its tile."""
    maps = [
        np.nan_to_num(np.atleast_2d(np.asarray(m.get("values", [[0]]), dtype=float)), nan=0.0, posinf=0.0, neginf=0.0)
        for m in data["maps"]
    ]
    titles = [str(m.get("title", "")) for m in data["maps"]]
    cols, rows, captions = _raster_frame(plt, size, data, x=None, y=None)
    if not maps or cols < 4 or rows < 3:
        return captions
    across = max(1, min(len(maps), int(data.get("columns") or 8)))
    down = -(-len(maps) // across)
    tile_w = cols // across - 1
    tile_h = rows // down - 1  # one row under each tile for its name
    if tile_w < 1 or tile_h < 1:
        return captions + ["(too small to draw the maps: maximise the view)"]
    signed = any(float(m.min(initial=0.0)) < 0 for m in maps)
    raster = Raster(cols, rows)
    for index, (values, title) in enumerate(zip(maps, titles)):
        row, column = divmod(index, across)
        h, w = values.shape
        # Square pixels: one column wide, half a row tall.
        zoom = min(tile_w / w, 2 * tile_h / h)
        pixels = _resample(values, max(1, round(h * zoom)), max(1, round(w * zoom)))
        peak = float(np.abs(pixels).max(initial=0.0)) or 1.0
        low = float(pixels.min(initial=0.0))
        high = float(pixels.max(initial=1.0))
        scaled = (pixels / peak + 1) / 2 if signed else ((pixels - low) / (high - low) if high > low else 0 * pixels)
        col = column * (tile_w + 1)
        top = rows - 1 - row * (tile_h + 1)
        raster.image(col, top, scaled, diverging if signed else heat, threshold=0.75 if signed else 0.5)
        name = title if len(title) <= tile_w else (title.split()[-1] if title.split() else "")
        raster.write(col, top - -(-pixels.shape[0] // 2), name[:tile_w])
    raster.put(plt)
    return captions + [
        "colour: blue negative · grey 0 · red positive (each map scaled to its own largest value)"
        if signed
        else "colour: dark blue low · red high (each map on its own scale)"
    ]
