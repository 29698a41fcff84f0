"""The lesson's views, one widget per declared view, fed from run snapshots."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll

from tutor.app.widgets.digits_view import DigitsView
from tutor.app.widgets.plot_view import PlotView
from tutor.app.widgets.text_view import TextView
from tutor.runner import Snapshot
from tutor.textviews import TEXT_VIEWS


class ViewsArea(VerticalScroll):
    """Side by side when there is room, stacked on narrow screens (see app.tcss)."""

    def __init__(self, kinds: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, classes=f"-views-{min(len(kinds), 4)}")
        self.kinds = tuple(kinds)
        self._shown: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        for kind in self.kinds:
            if kind in TEXT_VIEWS:
                yield TextView(kind, id=f"view-{kind}", classes="view")
            else:
                view_class = DigitsView if kind == "digits" else PlotView
                yield view_class(kind, id=f"view-{kind}", classes="view")

    def show(self, snapshot: Snapshot | None, past: Sequence[Sequence[Mapping[str, float]]] = ()) -> None:
        """Redraw the views whose data changed since the last snapshot."""
        views = snapshot.views if snapshot else {}
        history = snapshot.history if snapshot else []
        for kind in self.kinds:
            data = views.get(kind)
            # Routines send fresh data per update, so identity tells what changed
            # (the object itself is kept, not its id(), which can be reused);
            # the loss view also changes whenever the history grows.
            sizes = (len(history), len(past)) if kind == "loss" else ()
            shown = self._shown.get(kind)
            if shown is not None and shown[0] is data and shown[1] == sizes:
                continue
            self._shown[kind] = (data, sizes)
            view = self.query_one(f"#view-{kind}")
            if isinstance(view, PlotView):
                view.show(data, history, past if kind == "loss" else ())
            else:
                view.show(data)

    def clear(self, past: Sequence[Sequence[Mapping[str, float]]] = ()) -> None:
        self._shown.clear()
        self.show(None, past)
