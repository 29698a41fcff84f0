"""A plot view (fit, loss, cost, surface, digits, bars, heatmaps) drawn with plotext."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from tutor.plotting import draw


class PlotView(PlotextPlot):
    """Keeps the latest data of one view and draws it when shown; computes nothing.

    ``replot()`` only marks the plot stale: the drawing happens in ``render``, so
    several updates between two frames cost one drawing, and a view on a hidden
    tab costs nothing until it is shown.
    """

    def __init__(self, kind: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.data: Mapping[str, Any] = {}
        self.history: Sequence[Mapping[str, float]] = ()
        self.past: Sequence[Sequence[Mapping[str, float]]] = ()
        self._stale = True
        self._rendered: tuple[Any, RenderResult] | None = None

    def show(self, data: Mapping[str, Any] | None, history: Sequence[Mapping[str, float]] = (),
             past: Sequence[Sequence[Mapping[str, float]]] = ()) -> None:
        self.data, self.history, self.past = data or {}, history, past
        self.replot()

    def replot(self) -> None:
        self._stale = True
        self.refresh()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        try:
            draw(plt, self.kind, self.data, self.history, self.past, width=self.size.width)
        except Exception as error:  # bad view data must not take the app down
            plt.clear_figure()
            plt.title(f"cannot draw {self.kind}: {type(error).__name__}: {error}")
            self.log.error(f"drawing {self.kind} failed", error)

    def render(self) -> RenderResult:
        # A layout pass re-renders every widget; plotext rebuilds the whole
        # figure each time, so reuse the last one unless data, size or theme changed.
        key = (self.size, self.app.theme, self.theme)
        if self._stale:
            self._stale = False
            self._draw()
        elif self._rendered is not None and self._rendered[0] == key:
            return self._rendered[1]
        rendered = super().render()
        self._rendered = (key, rendered)
        return rendered
