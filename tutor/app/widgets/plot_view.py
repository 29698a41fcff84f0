"""A plot view (fit, loss, cost, surface, digits, bars, heatmaps) drawn with plotext."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from textual_plotext import PlotextPlot

from tutor.plotting import draw


class PlotView(PlotextPlot):
    """Keeps the latest data of one view and redraws it on demand; computes nothing."""

    def __init__(self, kind: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.data: Mapping[str, Any] = {}
        self.history: Sequence[Mapping[str, float]] = ()
        self.past: Sequence[Sequence[Mapping[str, float]]] = ()
        self.border_title = kind

    def on_mount(self) -> None:
        super().on_mount()
        self.replot()

    def show(self, data: Mapping[str, Any] | None, history: Sequence[Mapping[str, float]] = (),
             past: Sequence[Sequence[Mapping[str, float]]] = ()) -> None:
        self.data, self.history, self.past = data or {}, history, past
        self.replot()

    def replot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        try:
            draw(plt, self.kind, self.data, self.history, self.past)
        except Exception as error:  # bad view data must not take the app down
            plt.clear_figure()
            plt.title(f"cannot draw {self.kind}: {type(error).__name__}: {error}")
            self.log.error(f"drawing {self.kind} failed", error)
        self.refresh()
