"""A text view (table, matrix): the numbers themselves, as a rich table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import RenderableType
from rich.measure import Measurement
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.widgets import Static

from tutor.i18n import _, ngettext
from tutor.textviews import renderable


class TextView(ScrollableContainer):
    """A table as wide as the view when its text columns can wrap to fit; wider
    ones keep their width (every number whole), scroll sideways and say so; a
    taller one says how much more there is below."""

    ALLOW_MAXIMIZE = True  # scrollable containers refuse by default; a table is worth the whole window
    DEFAULT_CSS = """
    TextView {
        /* The room for a vertical scrollbar is always kept: a table laid out to the
           width before its scrollbar appeared would lose its last columns under it. */
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    TextView:focus {
        tint: $accent 18%;
    }
    TextView > .text-view-hint {
        color: $text-muted;
        height: 1;
        width: auto;
    }
    """

    def __init__(self, kind: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self._view: RenderableType = renderable(kind, None)

    def compose(self) -> ComposeResult:
        hint = Static(_("→ scrolls sideways"), classes="text-view-hint", markup=False)
        hint.display = False
        yield hint
        yield Static(self._view, classes="text-view-body")

    def show(self, data: Mapping[str, Any] | None) -> None:
        body = self.query_one(".text-view-body", Static)
        try:
            self._view = renderable(self.kind, data)
        except Exception as error:  # bad view data must not take the app down
            problem = f"{type(error).__name__}: {error}"
            self._view = _("cannot show {view}: {error}").format(view=self.kind, error=problem)
        body.update(self._view)
        self._fit()
        if data is None:  # a new run: start from the table's title again
            self.scroll_home(animate=False)

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The table's natural width when it fits, else the view's (its text wraps), else its
        least; the hint above it says when it scrolls sideways and how much is below."""
        if not self.is_mounted:
            return
        console = self.app.console
        measured = Measurement.get(console, console.options.update_width(1000), self._view)
        region = self.scrollable_content_region
        room = max(region.width, 1)
        width = measured.maximum if measured.maximum <= room else max(measured.minimum, room)
        self.query_one(".text-view-body", Static).styles.width = width
        height = len(console.render_lines(self._view, console.options.update(width=width, height=None), pad=False))
        hints = [_("→ scrolls sideways")] if width > room else []
        below = height + 1 - region.height  # with the hint's own row
        if below > 0 and region.height > 0:
            hints.append(ngettext("↓ {count} more line below", "↓ {count} more lines below", below).format(count=below))
        hint = self.query_one(".text-view-hint", Static)
        hint.update(" · ".join(hints))
        hint.display = bool(hints)
