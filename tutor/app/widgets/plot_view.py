"""A plot view (fit, loss, cost, surface, digits, bars, heatmaps) drawn with plotext."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from tutor.i18n import _
from tutor.plotting import Past, draw, labelled_runs


class PlotView(PlotextPlot):
    """Keeps the latest data of one view and draws it when shown; computes nothing.

    ``replot()`` only marks the plot stale: the drawing happens in ``render``, so
    several updates between two frames cost one drawing, and a view on a hidden
    tab costs nothing until it is shown. The plot's words - its title, legend,
    colour key - are caption lines above it, drawn here (wrapped to the view's
    width), never by plotext.
    """

    can_focus = True
    # Focus shows as a tint over the whole plot: a border would take two rows and
    # two columns from every view, and an outline would hide the tick labels.
    DEFAULT_CSS = """
    PlotView:focus {
        tint: $accent 18%;
    }
    """

    def __init__(self, kind: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.data: Mapping[str, Any] = {}
        self.history: Sequence[Mapping[str, float]] = ()
        self.past: list[tuple[str, Sequence[Mapping[str, float]]]] = []
        self.cursor: float | None = None
        self._stale = True
        self._rendered: tuple[Any, RenderResult] | None = None
        self._caption_rows = 0  # last drawing's caption height: usually the same next time

    def show(
        self,
        data: Mapping[str, Any] | None,
        history: Sequence[Mapping[str, float]] = (),
        past: Past = (),
        cursor: float | None = None,
    ) -> None:
        self.data, self.history, self.past, self.cursor = data or {}, history, labelled_runs(past), cursor
        self.replot()

    def replot(self) -> None:
        self._stale = True
        self.refresh()

    def _draw(self, width: int, height: int) -> list[Text]:
        plt = self.plt
        plt.clear_figure()
        # The theme first: texts drawn on the canvas take its colour as their background.
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        try:
            captions = draw(
                plt, self.kind, self.data, self.history, self.past, width=width, height=height, cursor=self.cursor
            )
        except Exception as error:  # bad view data must not take the app down
            plt.clear_figure()
            self.log.error(f"drawing {self.kind} failed", error)
            captions = [
                Text(_("cannot draw {view}: {error}").format(view=self.kind, error=f"{type(error).__name__}: {error}"))
            ]
        console = self.app.console
        return [line for caption in captions for line in caption.wrap(console, max(width, 10))]

    def render(self) -> RenderResult:
        # A layout pass re-renders every widget; plotext rebuilds the whole
        # figure each time, so reuse the last one unless data, size or theme changed.
        key = (self.size, self.app.theme, self.theme)
        if not self._stale and self._rendered is not None and self._rendered[0] == key:
            return self._rendered[1]
        self._stale = False
        width, height = self.size.width, self.size.height
        lines = self._draw(width, height - self._caption_rows)
        if len(lines) != self._caption_rows:  # the captions grew or shrank: lay the plot out again
            self._caption_rows = min(len(lines), max(height - 4, 0))
            lines = self._draw(width, height - self._caption_rows)
        lines = lines[: self._caption_rows]
        plot_height = max(height - len(lines), 1)
        self.plt.plotsize(width, plot_height)
        self.plt._set_size(width, plot_height)  # as PlotextPlot.render does (app/private_parts.py)
        plot = Text.from_ansi(self.plt.build().rstrip("\n"))  # its last line ends with a newline
        rendered = Text("\n").join([*lines, plot]) if lines else plot
        self._rendered = (key, rendered)
        return rendered
