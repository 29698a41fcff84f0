"""The one registry of views: each kind, the data it takes, and what draws it.

A routine sends ``reporter.view(kind, **data)``; :data:`VIEWS` says, for each
kind, which keys its data must have (its payload's ``Required`` keys), what the
data holds (the payload's ``TypedDict``, documented field by field below) and
which renderer draws it (:class:`Renderer`). This module imports no UI: the
renderer modules (tutor.plotting, tutor.textviews) register the function that
draws each kind with :func:`draws` when they are imported, and a renderer
finds it with :meth:`ViewKind.drawer`.
:meth:`tutor.reporting.Reporter.view` checks every report against it, in the
routine, so a misspelled kind or a forgotten key fails where the bug is.

A routine module may also define ``preview(params, reporter)``: it sends only
the data views (the data, no model's answers), quickly and without importing
TensorFlow, so the data can be looked at before the first run.

Arrays may be NumPy arrays or lists. Keep payloads small: a renderer redraws
them up to ten times a second.
"""

# No `from __future__ import annotations`: TypedDict sees Required[...] only in real annotations.

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Required, TypedDict, TypeVar

from tutor.i18n import N_, _

Array = Any  # a NumPy array or (nested) lists of numbers


class Series(TypedDict, total=False):
    x: Array
    y: Array
    label: str


class Walk(TypedDict, total=False):
    x: Array
    y: Array


class FitData(TypedDict, total=False):
    """``fit`` - data and the model's curve(s) over it."""

    points: Sequence[Series]  # scatter groups (e.g. one per class)
    lines: Sequence[Series]  # model curves
    title: str
    xlabel: str
    ylabel: str
    ylim: tuple[float, float]


class LossData(TypedDict, total=False):
    """``loss`` - needs no data: it plots the run's recorded progress metrics (every
    metric whose name contains "loss" or "cost" on one plot, those containing "acc"
    on a second one). A routine may still send a title, or ``ylog=True``."""

    title: str
    ylog: bool


class CostData(TypedDict, total=False):
    """``cost`` - a cost curve over one parameter."""

    x: Required[Array]
    y: Required[Array]
    marker: tuple[float, float]  # e.g. the minimum found
    path: Walk  # e.g. the steps gradient descent took
    title: str
    xlabel: str
    ylabel: str


class SurfaceData(TypedDict, total=False):
    """``surface`` - a value over a 2-D grid, as a heat map.

    ``z`` may be empty (size 0) when there is nothing to shade yet - e.g. a
    lesson's ``preview`` before the first run: then x and y only give the plot's
    extents for the points."""

    x: Required[Array]  # 1-D, the columns' coordinates (length nx)
    y: Required[Array]  # 1-D, the rows' coordinates (length ny)
    z: Required[Array]  # 2-D, shape (ny, nx)
    points: Sequence[Series]  # data drawn on top (e.g. per class)
    path: Walk  # a walk over the surface
    marker: tuple[float, float]
    title: str
    xlabel: str
    ylabel: str
    zlabel: str  # "P(...)" shades as a probability


class DigitsData(TypedDict, total=False):
    """``digits`` - a grid of small grey images. (A ``preview`` sends images and
    labels only: no predicted, top or tops.)"""

    images: Required[Array]  # (n, h, w), values 0..255 or 0..1
    labels: Required[Sequence[str]]  # the true labels
    predicted: Sequence[str]  # predictions (wrong ones get marked)
    selected: int  # the image whose top-k is shown
    top: Sequence[tuple[str, float]]  # (label, probability) for the selected image
    tops: Sequence[Sequence[tuple[str, float]]]  # one such list per image: the app browses them with keys
    columns: int  # images per row of the grid
    title: str


class BarsData(TypedDict, total=False):
    """``bars`` - one bar per label."""

    labels: Required[Sequence[str]]
    values: Required[Array]
    title: str
    ylabel: str
    ylim: tuple[float, float]


class Matrix(TypedDict, total=False):
    values: Required[Array]  # 2-D
    title: str
    rows: Sequence[str]  # row labels
    cols: Sequence[str]  # column labels


class MatrixData(TypedDict, total=False):
    """``matrix`` - one or more small matrices printed with their numbers."""

    matrices: Required[Sequence[Matrix]]


class TableData(TypedDict, total=False):
    """``table`` - rows of values."""

    columns: Required[Sequence[str]]
    rows: Required[Sequence[Sequence[Any]]]
    title: str


class Heatmap(TypedDict, total=False):
    values: Required[Array]  # 2-D
    title: str


class HeatmapsData(TypedDict, total=False):
    """``heatmaps`` - several small 2-D maps side by side (filters, feature maps)."""

    maps: Required[Sequence[Heatmap]]
    columns: int  # maps per row
    title: str


class Renderer(StrEnum):
    """What draws a kind of view, in both renderers (the app and headless)."""

    PLOT = "plot"  # a plotext plot: tutor.plotting, the app's PlotView
    GRID = "grid"  # a plot of images whose selection the app moves with keys: its DigitsView
    TEXT = "text"  # a rich table: tutor.textviews, the app's TextView


Drawer = Callable[..., Any]
D = TypeVar("D", bound=Drawer)
# What draws each kind: filled by the renderer modules as they are imported (see `draws`).
_DRAWERS: dict[str, Drawer] = {}


@dataclass(frozen=True)
class ViewKind:
    """One kind of view: its name, its payload and what draws it."""

    name: str
    payload: type  # a TypedDict: the documentation of the data, and its required keys
    renderer: Renderer
    # Drawn from the run's recorded metrics (and earlier runs', and the replay's cursor), not from its data.
    from_history: bool = False

    @property
    def drawer(self) -> Drawer:
        """The function its renderer registered for it with :func:`draws`."""
        try:
            return _DRAWERS[self.name]
        except KeyError:
            module = "tutor.textviews" if self.renderer is Renderer.TEXT else "tutor.plotting"
            raise LookupError(f"nothing draws {self.name!r} views yet: import {module} first") from None

    @cached_property  # checked at every report
    def required(self) -> tuple[str, ...]:
        """The keys its data must have, in the order the payload declares them."""
        required = self.payload.__required_keys__  # type: ignore[attr-defined]
        return tuple(key for key in self.payload.__annotations__ if key in required)


VIEWS: dict[str, ViewKind] = {
    view.name: view
    for view in (
        ViewKind("fit", FitData, Renderer.PLOT),
        ViewKind("loss", LossData, Renderer.PLOT, from_history=True),
        ViewKind("cost", CostData, Renderer.PLOT),
        ViewKind("surface", SurfaceData, Renderer.PLOT),
        ViewKind("digits", DigitsData, Renderer.GRID),
        ViewKind("bars", BarsData, Renderer.PLOT),
        ViewKind("matrix", MatrixData, Renderer.TEXT),
        ViewKind("table", TableData, Renderer.TEXT),
        ViewKind("heatmaps", HeatmapsData, Renderer.PLOT),
    )
}

# Every kind of view a lesson may declare and a routine may report to.
VIEW_KINDS = tuple(VIEWS)


# The names of views and metrics as they are shown (the view bar, the run strip, a headless run's
# figures, the loss view's legend). In the data they stay identifiers - a lesson's `views = [...]`,
# a page's `view`, a challenge's condition read them - so each is its own msgid (English shows it
# as it is); only its display is translated, here, in one table. A name not in it (a symbol such as
# `w`, `b`, `lr`, a result like `best_w`) is shown as itself.
VIEW_NAMES: dict[str, str] = {
    "fit": N_("fit"),
    "loss": N_("loss"),
    "cost": N_("cost"),
    "surface": N_("surface"),
    "digits": N_("digits"),
    "bars": N_("bars"),
    "matrix": N_("matrix"),
    "table": N_("table"),
    "heatmaps": N_("heatmaps"),
}
METRIC_NAMES: dict[str, str] = {
    "loss": N_("loss"),
    "cost": N_("cost"),
    "accuracy": N_("accuracy"),
    "val_loss": N_("val_loss"),
    "val_accuracy": N_("val_accuracy"),
    "test_loss": N_("test_loss"),
    "test_accuracy": N_("test_accuracy"),
    "held_out_loss": N_("held_out_loss"),
    "held_out_accuracy": N_("held_out_accuracy"),
    "cross_entropy": N_("cross_entropy"),
}
DISPLAY_NAMES: dict[str, str] = {**VIEW_NAMES, **METRIC_NAMES}


def display_name(name: str) -> str:
    """A view's or a metric's name as the learner reads it, in the tutor's language (itself if unknown)."""
    return _(DISPLAY_NAMES[name]) if name in DISPLAY_NAMES else name


def draws(kind: str) -> Callable[[D], D]:
    """Register the decorated function as what draws ``kind`` views.

    A renderer module decorates its drawers (``@draws("fit")``); the function's
    signature is that renderer's business (tutor.plotting, tutor.textviews).
    """
    if kind not in VIEWS:
        raise ValueError(f"there is no view {kind!r} to draw (known: {', '.join(VIEW_KINDS)})")

    def register(drawer: D) -> D:
        _DRAWERS[kind] = drawer
        return drawer

    return register


def is_text(kind: str) -> bool:
    """Is this kind printed as text (a table) rather than drawn as a plot?"""
    view = VIEWS.get(kind)
    return view is not None and view.renderer is Renderer.TEXT


def check_view(kind: str, data: Mapping[str, Any]) -> None:
    """Refuse a report the renderers could not draw: an unknown kind (ValueError) or a
    missing required key (TypeError, as for a call missing an argument)."""
    view = VIEWS.get(kind)
    if view is None:
        raise ValueError(f"reporter.view({kind!r}, ...): there is no view {kind!r} (known: {', '.join(VIEW_KINDS)})")
    missing = [key for key in view.required if key not in data]
    if missing:
        raise TypeError(
            f"reporter.view({kind!r}, ...) is missing {', '.join(map(repr, missing))}: "
            f"a {kind} view needs {', '.join(view.required)} (see tutor/views.py)"
        )
