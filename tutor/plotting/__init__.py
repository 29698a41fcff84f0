"""Draw a view's data with plotext: shared by the headless renderer and the app.

``draw(plt, kind, data, history, past, width, height, cursor)`` draws onto any
plotext-like object: the ``plotext`` module itself (headless) or a
textual-plotext widget's ``self.plt`` (the app), sized ``width`` x ``height``
characters. The caller clears the figure first and builds it after. It returns
the caption lines that did not fit inside the plot (a long title, a colour key,
what was clipped): the renderer shows them next to the plot, never drops them.
Nothing here computes lesson maths; it only lays data out.

One module per kind of view registers its drawer with the view registry
(``tutor.views.draws``); the modules they share: ``scales`` (axes and ticks),
``clipping`` (finite numbers inside the plot), ``colours``, ``raster`` (images and
maps two pixels a cell).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# Importing the view modules registers their drawers.
from tutor.plotting import bars, curves, digits, heatmaps, loss, surface  # noqa: F401
from tutor.plotting.digits import digit_grid_columns
from tutor.plotting.loss import History, Past, envelope, labelled_runs
from tutor.plotting.scales import Size, nice_ticks, size_of, tick_labels
from tutor.views import VIEWS, Renderer

__all__ = ["History", "Past", "digit_grid_columns", "draw", "envelope", "labelled_runs", "nice_ticks", "tick_labels"]


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
    size = size_of(plt, width, height)
    data = data or {}
    legend = _LegendGuard(plt, size)
    view = VIEWS.get(kind)
    if view is None or view.renderer is Renderer.TEXT:
        return [f"({kind} is not a plot view)"]
    if view.from_history:
        return view.drawer(legend, data, size, history, labelled_runs(past), cursor) + legend.captions
    drawer: Callable[[Any, Mapping[str, Any], Size], list[str]] = view.drawer
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
