"""The lesson's views, one widget per declared view, fed with each frame's data;
one of them is on the stage at a time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from textual.app import ComposeResult
from textual.containers import Container
from textual.reactive import reactive

from tutor.app.widgets.digits_view import DigitsView
from tutor.app.widgets.plot_view import PlotView
from tutor.app.widgets.text_view import TextView
from tutor.plotting import Past, labelled_runs
from tutor.views import VIEWS, Renderer

# The widget that shows each renderer's views (tutor/views.py says which renderer draws a kind).
WIDGETS: dict[Renderer, type[PlotView | TextView]] = {
    Renderer.PLOT: PlotView,
    Renderer.GRID: DigitsView,
    Renderer.TEXT: TextView,
}


class ViewsArea(Container):
    """Every view of the lesson, the ``staged`` one shown: it fills the area."""

    staged: reactive[str] = reactive("", init=False)

    def __init__(self, kinds: Sequence[str], *, staged: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.kinds = tuple(kinds)
        self._shown: dict[str, Any] = {}
        self.set_reactive(ViewsArea.staged, staged if staged in self.kinds else self.kinds[0])

    def compose(self) -> ComposeResult:
        for kind in self.kinds:
            view = WIDGETS[VIEWS[kind].renderer](kind, id=f"view-{kind}", classes="view")
            view.display = kind == self.staged
            yield view

    def watch_staged(self, staged: str) -> None:
        focused = self.screen.focused if self.is_attached else None
        had_focus = focused is not None and focused.has_class("view")
        for view in self.query(".view"):
            view.display = view.id == f"view-{staged}"
        if had_focus:  # the keys that moved through the old view now move through the new one
            self.query_one(f"#view-{staged}").focus()

    def show(
        self,
        views: Mapping[str, Mapping] | Any | None,
        history: Sequence[Mapping[str, float]] = (),
        past: Past = (),
        cursor: float | None = None,
    ) -> None:
        """Redraw the views whose data, history length, earlier runs or cursor changed.

        ``views`` maps each kind to its data; a run snapshot (with ``.views`` and
        ``.history``) is accepted too. Hidden views keep their data and draw it when staged.
        """
        if views is not None and hasattr(views, "views") and hasattr(views, "history"):
            snapshot: Any = views
            views, history = snapshot.views, snapshot.history
        views = views or {}
        past = labelled_runs(past)
        changed = []
        for kind in self.kinds:
            data = views.get(kind)
            # Routines send fresh data per update, so identity tells what changed
            # (the object itself is kept, not its id(), which can be reused);
            # the loss view also changes whenever the history, the earlier runs or the cursor do.
            from_history = VIEWS[kind].from_history
            extra = (len(history), [(label, len(run)) for label, run in past], cursor) if from_history else ()
            shown = self._shown.get(kind)
            if shown is None or shown[0] is not data or shown[1] != extra:
                self._shown[kind] = (data, extra)
                changed.append((kind, data))
        # Several views changing in one frame are drawn in one screen update, not one each.
        with self.app.batch_update():
            for kind, data in changed:
                if VIEWS[kind].from_history:  # drawn as a plot (tutor/views.py)
                    self.query_one(f"#view-{kind}", PlotView).show(data, history, past, cursor)
                else:
                    self.query_one(f"#view-{kind}", WIDGETS[VIEWS[kind].renderer]).show(data)

    def clear(self, past: Past = ()) -> None:
        self._shown.clear()
        self.show(None, (), past)
