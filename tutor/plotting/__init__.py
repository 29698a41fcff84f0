"""Draw a view's data with plotext: shared by the headless renderer and the app.

``draw(plt, kind, data, history, past, width, height, cursor)`` draws onto any
plotext-like object: the ``plotext`` module itself (headless) or a
textual-plotext widget's ``self.plt`` (the app), sized ``width`` x ``height``
characters. The caller clears the figure first and builds it after. It returns
the caption lines to show above the plot - its title, legend, colour key, what
was clipped - as rich ``Text``: the renderer shows them, wrapped to the plot's
width, and gives the plot the rows that are left. No text that may be long goes
through plotext (it drops a title or legend wider than its plot and measures
wide characters wrongly). Nothing here computes lesson maths; it only lays data out.

One module per kind of view registers its drawer with the view registry
(``tutor.views.draws``): ``curves`` (fit, cost), ``loss``, ``bars``, ``surface``,
``digits``, ``heatmaps``. What they share: ``scales`` (ranges, linear and log
ticks), ``clipping`` (finite numbers inside the plot), ``chart`` (curves in
braille over an L-shaped frame), ``raster`` (images and maps two pixels a cell),
``colours`` and ``captions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

# Importing the view modules registers their drawers.
from tutor.i18n import _
from tutor.plotting import bars, curves, digits, heatmaps, loss, surface  # noqa: F401
from tutor.plotting.captions import Captions
from tutor.plotting.digits import digit_grid_columns
from tutor.plotting.loss import History, Past, envelope, labelled_runs
from tutor.plotting.scales import nice_ticks, size_of, tick_labels
from tutor.views import VIEWS, Renderer, display_name

__all__ = [
    "Captions",
    "History",
    "Past",
    "digit_grid_columns",
    "draw",
    "envelope",
    "labelled_runs",
    "nice_ticks",
    "tick_labels",
]


def draw(
    plt: Any,
    kind: str,
    data: Mapping[str, Any] | None,
    history: History = (),
    past: Past = (),
    width: int | None = None,
    height: int | None = None,
    cursor: float | None = None,
) -> Captions:
    """Draw one view; return the caption lines to show above the plot.

    ``history`` is the current run's progress ({"step", metric...} per epoch);
    ``past`` earlier runs as (label, history); ``cursor`` the step a replayed run
    is at. They feed the loss view.
    """
    size = size_of(plt, width, height)
    data = data or {}
    view = VIEWS.get(kind)
    if view is None or view.renderer is Renderer.TEXT:
        return [Text(_("({view} is not a plot view)").format(view=display_name(kind)))]
    if view.from_history:
        return list(view.drawer(plt, data, size, history, labelled_runs(past), cursor))
    if not data:  # before the routine's first report the view is an empty frame
        plt.xaxes(True, False)
        plt.yaxes(True, False)
        return []
    return list(view.drawer(plt, data, size))
